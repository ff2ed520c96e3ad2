import { compileConfig } from '@athanor/service-kit';
import { describe, expect, it } from 'vitest';
import { configSchema, storeLimitsOf } from './config';

// The ports are part of the contract (DESIGN.md, README, Kubernetes manifests).
describe('metrics config', () => {
  it('listens on its documented ports by default', () => {
    const config = compileConfig(configSchema, {});
    expect(config.grpcPort).toBe(50054);
    expect(config.httpPort).toBe(9464);
    expect(config.host).toBe('127.0.0.1');
  });

  it('names a bad variable', () => {
    expect(() => compileConfig(configSchema, { ATHANOR_HTTP_PORT: '-1' })).toThrow(/ATHANOR_HTTP_PORT/);
  });

  it('bounds memory and series by default and reads the limits from ATHANOR_METRICS_*', () => {
    expect(storeLimitsOf(compileConfig(configSchema, {}))).toEqual({
      maxPointsPerSeries: 4096,
      maxSeriesPerRun: 512,
      maxRuns: 500,
      finishedRunTtlMs: 300_000,
      idleRunMs: 1_800_000,
    });
    const config = compileConfig(configSchema, {
      ATHANOR_METRICS_MAX_POINTS_PER_SERIES: '100',
      ATHANOR_METRICS_LAYER_GROUPS: '8',
      ATHANOR_METRICS_FINISHED_RUN_TTL_SECONDS: '0.5',
      ATHANOR_METRICS_MAX_STREAMS: '2',
    });
    expect(config.metricsLayerGroups).toBe(8);
    expect(config.metricsMaxStreams).toBe(2);
    expect(storeLimitsOf(config)).toMatchObject({ maxPointsPerSeries: 100, finishedRunTtlMs: 500 });
  });

  it.each([
    ['ATHANOR_METRICS_MAX_POINTS_PER_SERIES', '8'],
    ['ATHANOR_METRICS_MAX_RUNS', '0'],
    ['ATHANOR_METRICS_LAYER_GROUPS', 'many'],
    ['ATHANOR_METRICS_FINISHED_RUN_TTL_SECONDS', '-1'],
    ['ATHANOR_METRICS_IDLE_RUN_SECONDS', 'soon'],
  ])('rejects %s=%s naming it', (variable, value) => {
    expect(() => compileConfig(configSchema, { [variable]: value })).toThrow(new RegExp(variable));
  });
});
