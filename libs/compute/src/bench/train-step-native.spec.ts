import { beforeAll, describe } from 'vitest';
import { initCompute } from '../backend/compute';
import { itTrainsWithoutLeaks } from '../testing/leak-check';

function installed(pkg: string): boolean {
  try {
    require.resolve(pkg);
    return true;
  } catch {
    return false;
  }
}

// The native backends where their packages are installed (a GPU node, a machine that allowed the
// install scripts); elsewhere these are skipped.
for (const [name, pkg] of [
  ['tfjs-node-gpu', '@tensorflow/tfjs-node-gpu'],
  ['tfjs-node', '@tensorflow/tfjs-node'],
] as const) {
  describe.skipIf(!installed(pkg))(`training on ${name} leaves no tensors behind`, () => {
    beforeAll(() => initCompute({ ATHANOR_BACKEND: name }));
    itTrainsWithoutLeaks('tensorflow');
  });
}
