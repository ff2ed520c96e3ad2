export { Rng, toRng } from './rng';
export type { RngState } from './rng';
