import * as grpc from '@grpc/grpc-js';
import { modelbuilder } from '@athanor/contracts';
import * as modelBuilderService from '@athanor/model-builder';
import { fromArtifact } from '@athanor/models';
import { compileConfig, fieldViolations, type RunningService } from '@athanor/service-kit';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unary } from './support/clients';

const env = {
  ATHANOR_GRPC_PORT: '0',
  ATHANOR_HTTP_PORT: '0',
  ATHANOR_LOG_LEVEL: 'silent',
  ATHANOR_MAX_PARAMETERS: '200000',
  ATHANOR_BACKEND: 'cpu',
};

const cnn = modelbuilder.ModelSpec.fromJSON({
  name: 'small-cnn',
  inputShape: [12, 12, 1],
  numClasses: 4,
  cnn: {
    stages: [{ block: { channels: 6, pooling: { kind: 'POOLING_KIND_MAX' } } }, { block: { channels: 8 } }],
  },
});

describe('model-builder service', () => {
  let service: RunningService;
  let client: modelbuilder.ModelBuilderServiceClient;

  beforeAll(async () => {
    service = await modelBuilderService.startModelBuilder(
      compileConfig(modelBuilderService.configSchema, env),
      env,
    );
    client = new modelbuilder.ModelBuilderServiceClient(service.address, grpc.credentials.createInsecure());
  });
  afterAll(async () => {
    client?.close();
    await service?.stop();
  });

  it('builds a model whose artifact loads with tfjs and matches the summary', async () => {
    const res = await unary(client.buildModel.bind(client), {
      spec: cnn,
      init: modelbuilder.InitSpec.fromJSON({ seed: 9 }),
      batchSize: 64,
      summaryOnly: false,
    });
    expect(res.seed).toBe(9);
    expect(res.backend).toBe('cpu');
    expect(res.summary!.memoryEstimateBatchSize).toBe(64);
    expect(res.summary!.layers.map((l) => l.name)).toContain('stage0_block0_conv0');
    const model = await fromArtifact(res.artifact!);
    expect(model.countParams()).toBe(res.summary!.totalParams);
    const out = model.predict(tf.zeros([2, 12, 12, 1])) as tf.Tensor;
    expect(out.shape).toEqual([2, 4]);
    expect(JSON.parse(res.artifact!.userDefinedMetadataJson)).toMatchObject({
      seed: 9,
      spec: { name: 'small-cnn' },
    });
    // Same seed, same weights.
    const again = await unary(client.buildModel.bind(client), {
      spec: cnn,
      init: modelbuilder.InitSpec.fromJSON({ seed: 9 }),
      batchSize: 0,
      summaryOnly: false,
    });
    expect(
      Buffer.compare(Buffer.from(again.artifact!.weightData), Buffer.from(res.artifact!.weightData)),
    ).toBe(0);
    tf.dispose(out);
    model.dispose();
  });

  it('answers INVALID_ARGUMENT with field violations for a spec that cannot be built', async () => {
    const bad = modelbuilder.ModelSpec.fromJSON({
      inputShape: [12, 12, 1],
      numClasses: 4,
      cnn: {
        stages: [
          { block: { channels: 4, pooling: { kind: 'POOLING_KIND_MAX', size: 20 } } },
          { block: { channels: -1 } },
        ],
      },
    });
    const err = await unary(client.buildModel.bind(client), {
      spec: bad,
      init: undefined,
      batchSize: 0,
      summaryOnly: true,
    }).catch((e: grpc.ServiceError) => e);
    expect((err as grpc.ServiceError).code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(fieldViolations(err as grpc.ServiceError)).toEqual([
      { field: 'spec.cnn.stages[0].block.pooling', description: 'pooling reduces 12x12 to 0x0' },
      { field: 'spec.cnn.stages[1].block.channels', description: 'must be an integer >= 1, got -1' },
    ]);
    const missing = await unary(client.buildModel.bind(client), {
      spec: undefined,
      init: undefined,
      batchSize: 0,
      summaryOnly: true,
    }).catch((e: grpc.ServiceError) => e);
    expect(fieldViolations(missing as grpc.ServiceError)).toEqual([
      { field: 'spec', description: 'is required' },
    ]);
  });

  it('validates without building: issues as a normal answer, the summary when valid', async () => {
    const ok = await unary(client.validateModel.bind(client), { spec: cnn, init: undefined, batchSize: 0 });
    expect(ok).toMatchObject({ valid: true, issues: [], exceedsBudget: false });
    expect(ok.summary!.totalParams).toBeGreaterThan(0);
    const bad = await unary(client.validateModel.bind(client), {
      spec: modelbuilder.ModelSpec.fromJSON({ inputShape: [4], mlp: { depth: 2, width: 0 } }),
      init: modelbuilder.InitSpec.fromJSON({ dense: { normal: { std: -2 } } }),
      batchSize: 0,
    });
    expect(bad.valid).toBe(false);
    expect(bad.issues.map((i) => i.field)).toEqual([
      'spec.numClasses',
      'spec.mlp.width',
      'init.dense.normal.std',
    ]);
  });

  it('refuses a model beyond the budget with RESOURCE_EXHAUSTED', async () => {
    const big = modelbuilder.ModelSpec.fromJSON({
      inputShape: [1000],
      numClasses: 10,
      mlp: { depth: 1, width: 1000 },
    });
    const err = await unary(client.buildModel.bind(client), {
      spec: big,
      init: undefined,
      batchSize: 0,
      summaryOnly: true,
    }).catch((e: grpc.ServiceError) => e);
    expect((err as grpc.ServiceError).code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect((err as grpc.ServiceError).details).toMatch(/1011010 parameters, above the limit of 200000/);
  });

  it('compares initialisations side by side', async () => {
    const mlp = modelbuilder.ModelSpec.fromJSON({
      inputShape: [64],
      numClasses: 10,
      mlp: { depth: 12, width: 64 },
    });
    const res = await unary(client.inspectInitialization.bind(client), {
      spec: mlp,
      candidates: [
        {
          label: 'xavier_normal',
          init: modelbuilder.InitSpec.fromJSON({ dense: { xavierNormal: {} }, bias: { zeros: {} } }),
        },
        {
          label: 'kaiming_normal',
          init: modelbuilder.InitSpec.fromJSON({
            dense: { kaimingNormal: { nonlinearity: 'NONLINEARITY_RELU' } },
            bias: { zeros: {} },
          }),
        },
      ],
      sample: { $case: 'random', value: { mean: 0, std: 1 } },
      batchSize: 128,
      seed: 3,
    });
    const [xavier, kaiming] = res.reports;
    expect(xavier.label).toBe('xavier_normal');
    expect(xavier.activationStdRatio).toBeLessThan(0.1);
    expect(kaiming.activationStdRatio).toBeGreaterThan(0.3);
    expect(xavier.warnings.some((w) => w.includes('vanishing'))).toBe(true);
    expect(xavier.layers.length).toBe(kaiming.layers.length);
  });

  it('inspects on real examples of a named dataset, and names a dataset that does not fit', async () => {
    const digits = modelbuilder.ModelSpec.fromJSON({
      inputShape: [28, 28, 1],
      numClasses: 10,
      mlp: { depth: 3, width: 32 },
    });
    const candidates = [{ label: 'default', init: modelbuilder.InitSpec.fromJSON({}) }];
    const res = await unary(client.inspectInitialization.bind(client), {
      spec: digits,
      candidates,
      sample: { $case: 'dataset', value: 'mnist' },
      batchSize: 64,
      seed: 0,
    });
    // mnist pixels are in [0, 1] with most of them 0: the input layer sees a mean well below 0.5,
    // which random N(0, 1) samples (mean ~0, std ~1) would not show.
    expect(res.reports).toHaveLength(1);
    const first = res.reports[0].layers[0];
    expect(first.className).toBe('Flatten');
    expect(first.activationMean).toBeGreaterThan(0.05);
    expect(first.activationMean).toBeLessThan(0.3);
    const tooSmall = modelbuilder.ModelSpec.fromJSON({
      inputShape: [12, 12, 1],
      numClasses: 10,
      mlp: { depth: 2, width: 8 },
    });
    for (const [spec, value, expected] of [
      [digits, 'imagenet', /imagenet/],
      [tooSmall, 'mnist', /\[28, 28, 1\].*\[12, 12, 1\]/],
    ] as const) {
      const err = await unary(client.inspectInitialization.bind(client), {
        spec,
        candidates,
        sample: { $case: 'dataset', value },
        batchSize: 8,
        seed: 0,
      }).catch((e: grpc.ServiceError) => e);
      expect((err as grpc.ServiceError).code).toBe(grpc.status.INVALID_ARGUMENT);
      const [violation] = fieldViolations(err as grpc.ServiceError);
      expect(violation.field).toBe('dataset');
      expect(violation.description).toMatch(expected);
    }
  });

  it('stays up under malformed requests and reports its backend', async () => {
    const garbage = await unary(client.inspectInitialization.bind(client), {
      spec: cnn,
      candidates: [],
      sample: { $case: 'dataset', value: 'mnist' },
      batchSize: -5,
      seed: 0,
    }).catch((e: grpc.ServiceError) => e);
    expect(fieldViolations(garbage as grpc.ServiceError).map((v) => v.field)).toEqual(['candidates']);
    const { info } = await unary(client.getServiceInfo.bind(client), {});
    expect(info!.computeBackend).toBe('cpu');
    expect(info!.backendsTried).toEqual([expect.objectContaining({ backend: 'cpu', selected: true })]);
  });
});
