// Seeded dropout: every mask a model draws while training comes from (seed, site, call).
export { DropoutStream, type HasDropoutStream } from './dropout-stream';
export { maskSeed } from './mask-seed';
export { dropoutCalls, seedDropout } from './seed-dropout';
