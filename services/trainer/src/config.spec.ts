import { availableParallelism } from 'node:os';
import { compileConfig } from '@athanor/service-kit';
import { describe, expect, it } from 'vitest';
import { concurrencyOf, configSchema } from './config';

// The ports are part of the contract (DESIGN.md, README, Kubernetes manifests).
describe('trainer config', () => {
  it('listens on its documented ports by default', () => {
    const config = compileConfig(configSchema, {});
    expect(config.grpcPort).toBe(50052);
    expect(config.httpPort).toBe(9462);
    expect(config.host).toBe('127.0.0.1');
  });

  it('names a bad variable', () => {
    expect(() => compileConfig(configSchema, { ATHANOR_HTTP_PORT: '-1' })).toThrow(/ATHANOR_HTTP_PORT/);
    expect(() => compileConfig(configSchema, { ATHANOR_TUNER_ADDR: 'nohost' })).toThrow(/ATHANOR_TUNER_ADDR/);
    expect(() => compileConfig(configSchema, { ATHANOR_MAX_CONCURRENT_RUNS: 'many' })).toThrow(
      /ATHANOR_MAX_CONCURRENT_RUNS/,
    );
  });

  it('runs one run per CPU core (one per GPU) by default', () => {
    expect(concurrencyOf(compileConfig(configSchema, {}))).toBe(Math.max(1, availableParallelism()));
    expect(concurrencyOf(compileConfig(configSchema, { ATHANOR_MAX_CONCURRENT_RUNS: '3' }))).toBe(3);
    expect(concurrencyOf(compileConfig(configSchema, {}), 'tfjs-node-gpu')).toBe(1);
    expect(compileConfig(configSchema, {}).metricsAddr).toBeUndefined();
  });
});
