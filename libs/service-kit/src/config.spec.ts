import { describe, expect, it } from 'vitest';
import { address, commonSchema, compileConfig, ConfigError, integer, variableName } from './config';

const schema = {
  ...commonSchema({ grpcPort: 50052, httpPort: 9462 }),
  tunerAddr: address(undefined, 'tuner'),
  maxRuns: integer(2, 'runs', 1, 64),
};

describe('compileConfig', () => {
  it('applies defaults when nothing is set', () => {
    const c = compileConfig(schema, {});
    expect(c).toEqual({
      host: '127.0.0.1',
      grpcPort: 50052,
      httpPort: 9462,
      logLevel: 'info',
      shutdownGraceSeconds: 10,
      // Security off and grpc-js's own message limit: the loopback default (README, Security).
      healthPort: undefined,
      tlsCert: undefined,
      tlsKey: undefined,
      tlsCa: undefined,
      authToken: undefined,
      authTokenFile: undefined,
      maxReceiveMessageBytes: 4 * 1024 * 1024,
      maxSendMessageBytes: 16 * 1024 * 1024,
      maxConcurrentStreams: 0,
      maxCallsPerClient: 0,
      tunerAddr: undefined,
      maxRuns: 2,
    });
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('reads ATHANOR_* variables, with port 0 meaning ephemeral', () => {
    const c = compileConfig(schema, {
      ATHANOR_GRPC_PORT: '0',
      ATHANOR_HOST: '0.0.0.0',
      ATHANOR_TUNER_ADDR: 'tuner.athanor.svc:50053',
      ATHANOR_MAX_RUNS: '8',
    });
    expect(c.grpcPort).toBe(0);
    expect(c.host).toBe('0.0.0.0');
    expect(c.tunerAddr).toBe('tuner.athanor.svc:50053');
    expect(c.maxRuns).toBe(8);
  });

  it('names every bad variable and the value it got', () => {
    let error: unknown;
    try {
      compileConfig(schema, {
        ATHANOR_GRPC_PORT: 'fifty',
        ATHANOR_HTTP_PORT: '70000',
        ATHANOR_LOG_LEVEL: 'loud',
        ATHANOR_MAX_RUNS: '0',
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.map((p) => p.variable);
    expect(problems).toEqual([
      'ATHANOR_GRPC_PORT',
      'ATHANOR_HTTP_PORT',
      'ATHANOR_LOG_LEVEL',
      'ATHANOR_MAX_RUNS',
    ]);
    expect((error as Error).message).toContain(
      'ATHANOR_GRPC_PORT: expected a port number 0..65535 (0 = ephemeral) (got "fifty")',
    );
  });

  it('rejects malformed peer addresses', () => {
    expect(() => compileConfig(schema, { ATHANOR_TUNER_ADDR: 'tuner' })).toThrow(
      /ATHANOR_TUNER_ADDR: expected host:port/,
    );
    expect(() => compileConfig(schema, { ATHANOR_TUNER_ADDR: 'h:0' })).toThrow(/ATHANOR_TUNER_ADDR/);
  });

  it('maps keys to variable names', () => {
    expect(variableName('shutdownGraceSeconds')).toBe('ATHANOR_SHUTDOWN_GRACE_SECONDS');
    expect(variableName('grpcPort')).toBe('ATHANOR_GRPC_PORT');
  });
});
