import { compileConfig } from '@athanor/service-kit';
import { describe, expect, it } from 'vitest';
import { configSchema } from './config';

// The ports are part of the contract (DESIGN.md, README, Kubernetes manifests).
describe('model-builder config', () => {
  it('listens on its documented ports by default', () => {
    const config = compileConfig(configSchema, {});
    expect(config.grpcPort).toBe(50051);
    expect(config.httpPort).toBe(9461);
    expect(config.host).toBe('127.0.0.1');
  });

  it('names a bad variable', () => {
    expect(() => compileConfig(configSchema, { ATHANOR_HTTP_PORT: '-1' })).toThrow(/ATHANOR_HTTP_PORT/);
  });
});
