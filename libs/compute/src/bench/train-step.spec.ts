import { beforeAll, describe } from 'vitest';
import { wasmReady } from '../testing/compare-with-cpu';
import { itTrainsWithoutLeaks } from '../testing/leak-check';

describe('training on wasm leaves no tensors behind', () => {
  // One thread: on a busy machine the threaded build waits for descheduled workers at every small
  // op (wasm/threaded-build.spec.ts covers it).
  beforeAll(() => wasmReady(1));
  itTrainsWithoutLeaks('wasm');
});
