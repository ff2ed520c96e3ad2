import { describe } from 'vitest';
import { itTrainsWithoutLeaks } from '../testing/leak-check';

// Its own file so that it runs beside the wasm suite (vitest runs files in parallel).
describe('training on the cpu backend leaves no tensors behind', () => {
  itTrainsWithoutLeaks('cpu');
});
