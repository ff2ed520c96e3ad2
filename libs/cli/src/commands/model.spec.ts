import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { modelbuilder } from '@athanor/contracts';
import { afterAll, describe, expect, it } from 'vitest';
import { ModelInputError, parseSpec, readDocument, runModel } from './model';

const dir = mkdtempSync(join(tmpdir(), 'athanor-model-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const write = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

const summary: modelbuilder.ModelSummary = {
  layers: [
    {
      name: 'dense0',
      className: 'Dense',
      outputShape: [8],
      params: 40,
      trainable: true,
      flopsPerSample: 72,
      inboundLayers: ['input'],
    },
    {
      name: 'logits',
      className: 'Dense',
      outputShape: [2],
      params: 18,
      trainable: false,
      flopsPerSample: 34,
      inboundLayers: ['dense0'],
    },
  ],
  totalParams: 58,
  trainableParams: 40,
  nonTrainableParams: 18,
  flopsPerSample: 106,
  activationBytesPerSample: 56,
  parameterBytes: 232,
  memoryEstimateBatchSize: 32,
  estimatedTrainingMemoryBytes: 2720,
  outputShape: [2],
};

/** A stand-in for the generated client: records requests, answers like the service. */
function fakeClient() {
  const requests: Record<string, unknown> = {};
  const answer =
    (name: string, res: unknown) =>
    (req: unknown, _md: unknown, _o: unknown, cb: (e: null, r: unknown) => void) => {
      requests[name] = req;
      cb(null, res);
    };
  const client = {
    validateModel: answer('validate', {
      valid: false,
      issues: [
        {
          field: 'spec.mlp.width',
          description: 'must be an integer >= 1, got 0',
          severity: modelbuilder.IssueSeverity.ISSUE_SEVERITY_ERROR,
        },
      ],
      summary: undefined,
      exceedsBudget: false,
    }),
    buildModel: answer('build', {
      summary,
      seed: 4,
      backend: 'cpu',
      artifact: undefined,
      pretrainedReport: undefined,
    }),
    inspectInitialization: answer('inspect', {
      backend: 'cpu',
      reports: [
        {
          label: 'xavier',
          init: { seed: 1 },
          loss: 2.3,
          activationStdRatio: 0.002,
          gradientNormRatio: 1.2,
          warnings: ['activation std falls 516x over 20 layers (act0 to act19): vanishing'],
          layers: [
            {
              layer: 'dense0',
              className: 'Dense',
              depth: 0,
              activationMean: 0,
              activationStd: 0.8,
              deadUnitFraction: 0,
              gradientNorm: 0.01,
              weightStd: 0.1,
              vanishing: false,
              exploding: false,
            },
          ],
        },
      ],
    }),
  };
  return { client: client as unknown as modelbuilder.ModelBuilderServiceClient, requests };
}

describe('athanor model', () => {
  const spec = write('spec.yaml', 'inputShape: [4]\nnumClasses: 2\nmlp:\n  depth: 1\n  width: 8\n');

  it('reads YAML or JSON specs and names the option on bad input', () => {
    expect(parseSpec(readDocument(spec, '--spec'))).toMatchObject({
      inputShape: [4],
      architecture: { $case: 'mlp', value: { depth: 1, width: 8 } },
    });
    expect(() => readDocument(undefined, '--spec')).toThrow('--spec: is required');
    expect(() => readDocument(join(dir, 'missing.yaml'), '--spec')).toThrow(/--spec: cannot read/);
    expect(() => parseSpec({ inputShape: [4], mpl: {} })).toThrow(ModelInputError);
    expect(() => parseSpec({ inputShape: [4], mpl: {} })).toThrow(/unknown field\(s\) mpl/);
  });

  it('prints validation issues with their field paths', async () => {
    const { client } = fakeClient();
    expect(await runModel('validate', { spec }, client)).toBe(
      'invalid\nerror   spec.mlp.width: must be an integer >= 1, got 0',
    );
  });

  it('prints a summary table, or JSON for machines', async () => {
    const { client, requests } = fakeClient();
    const text = await runModel('build', { spec, batchSize: '64' }, client);
    expect(text).toContain('logits (frozen)');
    expect(text).toContain('parameters: 58 total, 40 trainable, 18 non-trainable (232 B)');
    expect(text).toContain('training memory at batch 32: about 2.7 KiB');
    expect(requests.build).toMatchObject({ batchSize: 64, summaryOnly: true });
    const json = JSON.parse(await runModel('build', { spec, json: true }, client)) as {
      seed: number;
      summary: { totalParams: number };
    };
    expect(json).toMatchObject({ seed: 4, summary: { totalParams: 58 } });
    await expect(runModel('build', { spec, batchSize: 'ten' }, client)).rejects.toThrow(
      '--batch-size: must be a positive integer',
    );
  });

  it('compares initialisations from a candidates file', async () => {
    const { client, requests } = fakeClient();
    const candidates = write(
      'candidates.json',
      JSON.stringify([
        { label: 'xavier', init: { dense: { xavierNormal: {} } } },
        { label: 'kaiming', init: { dense: { kaimingNormal: {} } } },
      ]),
    );
    const text = await runModel('inspect-init', { spec, candidates }, client);
    expect(text).toContain('== xavier (seed 1)');
    expect(text).toContain('! activation std falls 516x');
    expect(
      (requests.inspect as modelbuilder.InspectInitializationRequest).candidates.map((c) => c.label),
    ).toEqual(['xavier', 'kaiming']);
    expect(readFileSync(candidates, 'utf8')).toContain('kaimingNormal');
  });
});
