import { readFileSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { loadFileDescriptorSetFromBuffer } from '@grpc/proto-loader';
import { describe, expect, it } from 'vitest';
import {
  BAD_REQUEST_TYPE_URL,
  decodeBadRequest,
  descriptorSetPath,
  encodeBadRequestStatus,
  rpc,
  serviceNames,
  trainer,
  training,
} from './index';

// DESIGN.md's 13 SchedulerSpec JSON forms (sequential/chained with concrete nested specs).
const schedulerExamples: Record<string, unknown> = {
  step: { step: { stepSize: 30, gamma: 0.1 } },
  multiStep: { multiStep: { milestones: [30, 80], gamma: 0.1 } },
  exponential: { exponential: { gamma: 0.9 } },
  cosineAnnealing: { cosineAnnealing: { tMax: 100, etaMin: 0 } },
  cosineAnnealingWarmRestarts: { cosineAnnealingWarmRestarts: { t0: 10, tMult: 2, etaMin: 0 } },
  reduceOnPlateau: {
    reduceOnPlateau: {
      mode: 'min',
      factor: 0.1,
      patience: 10,
      threshold: 1e-4,
      thresholdMode: 'rel',
      cooldown: 0,
      minLr: 0,
      eps: 1e-8,
    },
  },
  lambda: { lambda: { expression: '0.95 ** epoch' } },
  linear: { linear: { startFactor: 0.3333, endFactor: 1.0, totalIters: 5 } },
  constant: { constant: { factor: 0.3333, totalIters: 5 } },
  polynomial: { polynomial: { totalIters: 5, power: 1.0 } },
  oneCycle: {
    oneCycle: {
      maxLr: 0.1,
      totalSteps: 100,
      pctStart: 0.3,
      annealStrategy: 'cos',
      divFactor: 25,
      finalDivFactor: 10000,
      threePhase: false,
    },
  },
  sequential: {
    sequential: {
      schedulers: [
        { linear: { startFactor: 0.1, totalIters: 5 } },
        { cosineAnnealing: { tMax: 95, etaMin: 0 } },
      ],
      milestones: [5],
    },
  },
  chained: {
    chained: {
      schedulers: [{ constant: { factor: 0.5, totalIters: 2 } }, { exponential: { gamma: 0.9 } }],
    },
  },
};

describe('SchedulerSpec proto3 JSON (DESIGN.md public contract)', () => {
  it('covers all 13 forms of DESIGN.md', () => {
    expect(Object.keys(schedulerExamples)).toHaveLength(13);
  });

  for (const [name, json] of Object.entries(schedulerExamples)) {
    it(`round-trips ${name} through JSON and binary exactly`, () => {
      const spec = training.SchedulerSpec.fromJSON(json);
      expect(spec.kind?.$case).toBe(name);
      expect(training.SchedulerSpec.toJSON(spec)).toStrictEqual(json);
      const decoded = training.SchedulerSpec.decode(training.SchedulerSpec.encode(spec).finish());
      expect(training.SchedulerSpec.toJSON(decoded)).toStrictEqual(json);
    });
  }

  it('keeps an unset field (PyTorch default) apart from an explicit zero', () => {
    const unset = training.SchedulerSpec.fromJSON({ cosineAnnealing: { tMax: 100 } });
    const zero = training.SchedulerSpec.fromJSON({ cosineAnnealing: { tMax: 100, etaMin: 0 } });
    expect(unset.kind?.$case === 'cosineAnnealing' && unset.kind.value.etaMin).toBeUndefined();
    expect(zero.kind?.$case === 'cosineAnnealing' && zero.kind.value.etaMin).toBe(0);
    const wire = training.SchedulerSpec.decode(training.SchedulerSpec.encode(zero).finish());
    expect(wire.kind?.$case === 'cosineAnnealing' && wire.kind.value.etaMin).toBe(0);
    expect(training.SchedulerSpec.toJSON(unset)).toStrictEqual({ cosineAnnealing: { tMax: 100 } });
  });
});

// Every RPC issue 2 names, plus GetServiceInfo on every service.
const expectedRpcs: Record<string, string[]> = {
  [serviceNames.modelBuilder]: ['ValidateModel', 'BuildModel', 'InspectInitialization', 'GetServiceInfo'],
  [serviceNames.trainer]: [
    'StartRun',
    'WatchRun',
    'GetRun',
    'ListRuns',
    'CancelRun',
    'PreviewSchedule',
    'FindLearningRate',
    'GetServiceInfo',
  ],
  [serviceNames.tuner]: [
    'CreateStudy',
    'GetStudy',
    'ListStudies',
    'StopStudy',
    'WatchStudy',
    'SuggestTrials',
    'HeartbeatTrial',
    'ReportIntermediate',
    'CompleteTrial',
    'ScaleHyperparameters',
    'GetServiceInfo',
  ],
  [serviceNames.metrics]: ['ReportMetrics', 'QueryRun', 'GetServiceInfo'],
};

describe('descriptor set', () => {
  const load = () => loadFileDescriptorSetFromBuffer(readFileSync(descriptorSetPath));

  it('is at an absolute path and loads with @grpc/proto-loader', () => {
    expect(isAbsolute(descriptorSetPath)).toBe(true);
    expect(() => load()).not.toThrow();
  });

  for (const [service, rpcs] of Object.entries(expectedRpcs)) {
    it(`contains ${service} with exactly its RPCs`, () => {
      const definition = load()[service];
      expect(definition, service).toBeDefined();
      expect(Object.keys(definition as object).sort()).toStrictEqual([...rpcs].sort());
    });
  }

  it('has the streaming shapes of the design', () => {
    const definition = load();
    const method = (service: string, name: string) =>
      (definition[service] as Record<string, { requestStream: boolean; responseStream: boolean }>)[name];
    expect(method(serviceNames.trainer, 'WatchRun')).toMatchObject({
      requestStream: false,
      responseStream: true,
    });
    expect(method(serviceNames.tuner, 'WatchStudy')).toMatchObject({
      requestStream: false,
      responseStream: true,
    });
    expect(method(serviceNames.metrics, 'ReportMetrics')).toMatchObject({
      requestStream: true,
      responseStream: false,
    });
  });

  it('includes the google.rpc error details and well-known types (imports)', () => {
    const definition = load();
    for (const type of ['google.rpc.Status', 'google.rpc.BadRequest', 'google.protobuf.Timestamp']) {
      expect(definition[type], type).toBeDefined();
    }
  });

  it('agrees with the generated grpc-js service definition', () => {
    expect(trainer.TrainerServiceService.startRun.path).toBe(`/${serviceNames.trainer}/StartRun`);
    expect(trainer.TrainerServiceService.watchRun.responseStream).toBe(true);
  });
});

describe('google.rpc.BadRequest in grpc-status-details-bin', () => {
  const violations = [
    { field: 'config.optimizer.lr', description: 'must be > 0' },
    { field: 'spec.cnn.stages[4].block.pooling', description: 'pooling reduces 3x3 to 0x0' },
  ];

  it('encodes and decodes the message itself', () => {
    const bytes = rpc.BadRequest.encode({ fieldViolations: violations }).finish();
    expect(bytes.length).toBeGreaterThan(0);
    expect(rpc.BadRequest.decode(bytes).fieldViolations).toStrictEqual(violations);
  });

  it('round-trips through a google.rpc.Status trailer value', () => {
    const bytes = encodeBadRequestStatus('invalid TrainConfig', violations);
    const status = rpc.Status.decode(bytes);
    expect(status.code).toBe(3);
    expect(status.message).toBe('invalid TrainConfig');
    expect(status.details[0]?.typeUrl).toBe(BAD_REQUEST_TYPE_URL);
    expect(decodeBadRequest(bytes)).toStrictEqual(violations);
  });

  it('uses the canonical wire layout (field 1 code, 2 message, 3 details)', () => {
    // code=3 -> tag 0x08 value 0x03; message "x" -> tag 0x12 len 1 'x'.
    const bytes = rpc.Status.encode({ code: 3, message: 'x', details: [] }).finish();
    expect([...bytes]).toStrictEqual([0x08, 0x03, 0x12, 0x01, 0x78]);
  });

  it('returns undefined when there is no BadRequest', () => {
    expect(decodeBadRequest(rpc.Status.encode({ code: 5, message: 'not found', details: [] }).finish())).toBe(
      undefined,
    );
  });
});
