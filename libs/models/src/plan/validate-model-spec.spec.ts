import { describe, expect, it } from 'vitest';
import { specFromJson } from '../testing/specs';
import { validateInitSpec } from '../init/validate-init-spec';
import { initFromJson } from '../testing/specs';
import { planModel, requirePlan, validateModelSpec } from './plan-model';
import { InvalidModelSpecError } from './validation-issue';

const errors = (json: unknown) =>
  validateModelSpec(specFromJson(json))
    .filter((i) => i.severity === 'error')
    .map((i) => `${i.field}: ${i.description}`);

describe('validateModelSpec', () => {
  it('names the stage whose pooling collapses the image', () => {
    const block = (channels: number) => ({ channels, pooling: { kind: 'POOLING_KIND_MAX', size: 2 } });
    const spec = {
      inputShape: [28, 28, 1],
      numClasses: 10,
      cnn: { stages: [16, 16, 16, 16, 16].map((c) => ({ block: block(c) })) },
    };
    // 28 -> 14 -> 7 -> 3 -> 1 -> 0
    expect(errors(spec)).toEqual(['spec.cnn.stages[4].block.pooling: pooling reduces 1x1 to 0x0']);
    const bigWindow = {
      ...spec,
      cnn: {
        stages: [
          { block: block(8) },
          { block: { channels: 8, pooling: { kind: 'POOLING_KIND_AVG', size: 20 } } },
        ],
      },
    };
    expect(errors(bigWindow)).toEqual(['spec.cnn.stages[1].block.pooling: pooling reduces 14x14 to 0x0']);
  });

  it('refuses absurd depths before expanding them', () => {
    const started = Date.now();
    expect(
      errors({
        inputShape: [28, 28, 1],
        numClasses: 10,
        cnn: { stages: [{ numBlocks: 2147483647, block: { channels: 8 } }] },
      }),
    ).toEqual(['spec.cnn.stages[0].numBlocks: must be at most 1000, got 2147483647']);
    expect(errors({ inputShape: [784], numClasses: 10, mlp: { depth: 125490, width: 8 } })).toEqual([
      'spec.mlp.depth: must be at most 1000, got 125490',
    ]);
    expect(
      errors({
        inputShape: [784],
        numClasses: 10,
        mlp: { widths: Array.from({ length: 100_000 }, () => 4) },
      }),
    ).toEqual(['spec.mlp.widths: at most 1000 entries, got 100000']);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('reports every problem at once, with field paths', () => {
    const list = errors({
      inputShape: [8, 8, 3],
      numClasses: 0,
      cnn: {
        stages: [
          { block: { channels: 0 } },
          { name: 'bad name', block: { channels: 8, kernelSize: 0, dropout: 1.5 } },
          { block: { channels: 6, norm: 'NORM_KIND_GROUP', normGroups: 4 } },
        ],
        widthMultiplier: -1,
        head: { hiddenUnits: [0] },
      },
    });
    expect(list).toEqual(
      expect.arrayContaining([
        'spec.numClasses: is required (or taken from a dataset)',
        'spec.cnn.widthMultiplier: must be a positive number, got -1',
        'spec.cnn.stages[0].block.channels: must be an integer >= 1, got 0',
        'spec.cnn.stages[1].name: must be a letter then letters, digits or _, got "bad name"',
        'spec.cnn.stages[1].block.kernelSize: must be an integer >= 1, got 0',
        'spec.cnn.head.hiddenUnits[0]: must be an integer >= 1, got 0',
      ]),
    );
  });

  it('checks the other families', () => {
    expect(
      errors({
        inputShape: [10, 4],
        numClasses: 2,
        transformer: { inputProjection: {}, numLayers: 1, dModel: 10, numHeads: 4 },
      }),
    ).toEqual(['spec.transformer.numHeads: d_model 10 does not divide into 4 heads']);
    expect(
      errors({
        inputShape: [10, 4],
        numClasses: 2,
        transformer: { numLayers: 1, dModel: 8, numHeads: 2, maxLength: 5 },
      }),
    ).toEqual(['spec.transformer.input: one of inputProjection or embedding is required']);
    expect(errors({ inputShape: [10], numClasses: 2, rnn: { units: 4 } })).toEqual([
      'spec.inputShape: an RNN takes [T, F] features (or [T] token ids with an embedding), got [10]',
    ]);
    expect(
      errors({
        inputShape: [10, 3],
        numClasses: 2,
        rnn: { units: 4, pooling: 'SEQUENCE_POOLING_CLS', dropout: 1 },
      }),
    ).toEqual([
      'spec.rnn.dropout: must be in [0, 1), got 1',
      'spec.rnn.pooling: CLS pooling is for Transformers; use LAST, MEAN or MAX',
    ]);
    expect(errors({ inputShape: [4], numClasses: 2, mlp: {} })).toEqual([
      'spec.mlp.depth: depth and width (or widths) are required',
    ]);
    expect(errors({ inputShape: [4], numClasses: 2 })).toEqual([
      'spec.architecture: one of cnn, mlp, rnn or transformer is required',
    ]);
  });

  it('checks the architecture even when the input shape is missing', () => {
    expect(errors({ numClasses: 2, mlp: { depth: 2, width: -3 } })).toEqual([
      'spec.inputShape: is required (or taken from a dataset)',
      'spec.mlp.width: must be an integer >= 1, got -3',
    ]);
    // The dataset can supply what the spec leaves out.
    expect(
      planModel(specFromJson({ mlp: { depth: 1, width: 3 } }), { inputShape: [5], numClasses: 2 }).plan,
    ).toBeDefined();
  });

  it('warns about a conv bias before BatchNorm without failing', () => {
    const issues = validateModelSpec(
      specFromJson({
        inputShape: [8, 8, 1],
        numClasses: 2,
        cnn: { stages: [{ block: { channels: 4, bias: true } }] },
      }),
    );
    expect(issues).toEqual([
      expect.objectContaining({ field: 'spec.cnn.stages[0].block.bias', severity: 'warning' }),
    ]);
  });

  it('throws InvalidModelSpecError with violations for requirePlan', () => {
    expect(() =>
      requirePlan(specFromJson({ inputShape: [4], numClasses: 2, mlp: { depth: -1, width: 2 } })),
    ).toThrow(InvalidModelSpecError);
    try {
      requirePlan(specFromJson({ inputShape: [4], numClasses: 2, mlp: { depth: -1, width: 2 } }));
    } catch (err) {
      expect((err as InvalidModelSpecError).violations).toEqual([
        { field: 'spec.mlp.depth', description: 'must be an integer >= 1, got -1' },
      ]);
    }
  });
});

describe('validateInitSpec', () => {
  it('names bad initializer parameters and patterns', () => {
    const issues = validateInitSpec(
      initFromJson({
        conv: { truncatedNormal: { std: -1 } },
        bias: { xavierUniform: {} },
        overrides: [{ layerPattern: 'nothing*', weight: { uniform: { a: 2, b: 1 } } }],
        pretrained: { artifactUri: '', frozenLayers: ['dense0'] },
      }),
      'init',
      ['dense0', 'logits'],
    );
    const fields = issues.map((i) => `${i.severity} ${i.field}`);
    expect(fields).toEqual(
      expect.arrayContaining([
        'error init.conv.truncatedNormal.std',
        'error init.bias.xavierUniform',
        'warning init.overrides[0].layerPattern',
        'error init.overrides[0].weight.uniform.low',
        'error init.pretrained.artifactUri',
      ]),
    );
    expect(fields).not.toContain('error init.pretrained.frozenLayers[0]');
  });
});
