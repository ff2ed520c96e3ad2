import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { fromArtifact, toArtifact } from '../artifact/model-artifact';
import { buildModel } from '../build/build-model';
import { SeededDropout } from '../layers';
import { specFromJson } from '../testing/specs';
import { maskSeed } from './mask-seed';
import { dropoutCalls, seedDropout } from './seed-dropout';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

// One model per kind of dropout site: layers, attention weights, recurrent cells (both directions).
const SPECS: Record<string, { json: unknown; sites: number }> = {
  'mlp dropout': {
    json: { inputShape: [6], numClasses: 3, mlp: { widths: [16, 16], dropout: 0.5 } },
    sites: 2,
  },
  'attention dropout only': {
    json: {
      inputShape: [5, 4],
      numClasses: 3,
      transformer: {
        inputProjection: {},
        numLayers: 2,
        dModel: 8,
        numHeads: 2,
        dropout: 0,
        attentionDropout: 0.5,
      },
    },
    sites: 2,
  },
  'bidirectional GRU recurrent dropout': {
    json: {
      inputShape: [5, 4],
      numClasses: 3,
      rnn: { cell: 'RNN_CELL_GRU', units: 6, bidirectional: true, recurrentDropout: 0.5 },
    },
    sites: 2,
  },
};

/** `calls` training-mode outputs of a model (weights from seed 1) whose dropout is seeded `seed`. */
function trainingOutputs(json: unknown, seed: number, calls = 3, resume?: readonly number[]): number[][] {
  const model = buildModel(specFromJson(json), undefined, { seed: 1 });
  seedDropout(model, seed, resume);
  const x = tf.randomNormal([4, ...(model.inputs[0].shape.slice(1) as number[])], 0, 1, 'float32', 5);
  const outputs = Array.from({ length: calls }, () =>
    tf.tidy(() => Array.from((model.apply(x, { training: true }) as tf.Tensor).dataSync())),
  );
  x.dispose();
  model.dispose();
  return outputs;
}

describe.each(Object.entries(SPECS))('seeded dropout: %s', (_name, { json, sites }) => {
  it('draws the same masks for the same seed, new ones on every call, others for another seed', () => {
    const a = trainingOutputs(json, 11);
    expect(trainingOutputs(json, 11)).toEqual(a);
    expect(a[1]).not.toEqual(a[0]);
    expect(a[2]).not.toEqual(a[1]);
    expect(trainingOutputs(json, 12)[0]).not.toEqual(a[0]);
  });

  it('counts the masks of each site and continues from saved counts exactly', () => {
    const model = buildModel(specFromJson(json), undefined, { seed: 1 });
    expect(seedDropout(model, 11)).toBe(sites);
    const x = tf.ones([2, ...(model.inputs[0].shape.slice(1) as number[])]);
    const run = (training?: boolean) => tf.dispose(model.apply(x, { training }) as tf.Tensor);
    run(true);
    run(false);
    tf.dispose(model.predict(x));
    const counts = dropoutCalls(model);
    expect(counts).toHaveLength(sites);
    expect(counts.every((n) => n > 0)).toBe(true); // inference draws nothing, training did
    run(true);
    expect(dropoutCalls(model)).toEqual(counts.map((n) => 2 * n));
    x.dispose();
    model.dispose();

    const full = trainingOutputs(json, 11, 3);
    const resumed = trainingOutputs(
      json,
      11,
      1,
      counts.map((n) => 2 * n),
    );
    expect(resumed[0]).toEqual(full[2]);
  });

  it('is the identity at inference', () => {
    const model = buildModel(specFromJson(json), undefined, { seed: 1 });
    const x = tf.randomNormal([3, ...(model.inputs[0].shape.slice(1) as number[])], 0, 1, 'float32', 2);
    const outputs = [
      model.predict(x) as tf.Tensor,
      model.apply(x, { training: false }) as tf.Tensor,
      model.apply(x) as tf.Tensor,
    ];
    expect(Array.from(outputs[1].dataSync())).toEqual(Array.from(outputs[0].dataSync()));
    expect(Array.from(outputs[2].dataSync())).toEqual(Array.from(outputs[0].dataSync()));
    tf.dispose([x, ...outputs]);
    model.dispose();
  });
});

describe('AthanorDropout', () => {
  it('zeroes about `rate` of the units and scales the rest by 1 / (1 - rate)', () => {
    const layer = new SeededDropout({ rate: 0.25 });
    const x = tf.ones([200, 50]);
    const y = layer.apply(x, { training: true }) as tf.Tensor;
    const values = Array.from(y.dataSync());
    expect(new Set(values)).toEqual(new Set([0, Math.fround(1 / 0.75)]));
    const dropped = values.filter((v) => v === 0).length / values.length;
    expect(Math.abs(dropped - 0.25)).toBeLessThan(0.02);
    tf.dispose([x, y]);
  });

  it('refuses a rate outside [0, 1)', () => {
    expect(() => new SeededDropout({ rate: 1 })).toThrow(/rate must be in \[0, 1\)/);
  });

  it('saves into an artifact and loads back as AthanorDropout; reseeded, it draws the same masks', async () => {
    const json = SPECS['mlp dropout'].json;
    const model = buildModel(specFromJson(json), undefined, { seed: 3 });
    const artifact = await toArtifact(model, { spec: json });
    expect(artifact.modelTopologyJson).toContain('"class_name":"AthanorDropout"');
    const loaded = await fromArtifact(artifact);
    expect(loaded.layers.filter((l) => l instanceof SeededDropout).map((l) => l.name)).toEqual([
      'drop0',
      'drop1',
    ]);
    expect((loaded.getLayer('drop0') as SeededDropout).rate).toBe(0.5);
    seedDropout(model, 21);
    seedDropout(loaded, 21);
    const x = tf.randomNormal([4, 6], 0, 1, 'float32', 9);
    for (let call = 0; call < 2; call++) {
      const [a, b] = [model, loaded].map((m) => m.apply(x, { training: true }) as tf.Tensor);
      expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
      tf.dispose([a, b]);
    }
    tf.dispose(x);
    model.dispose();
    loaded.dispose();
  });

  it("loads an older artifact's tfjs Dropout as AthanorDropout", async () => {
    const legacy = tf.sequential({
      layers: [
        tf.layers.dense({ units: 4, inputShape: [3], name: 'dense0' }),
        tf.layers.dropout({ rate: 0.3, seed: 5, name: 'drop0' }),
        tf.layers.dense({ units: 2, name: 'logits' }),
      ],
    });
    const loaded = await fromArtifact(await toArtifact(legacy));
    const drop = loaded.getLayer('drop0');
    expect(drop).toBeInstanceOf(SeededDropout);
    expect((drop as SeededDropout).rate).toBe(0.3);
    expect(seedDropout(loaded, 1)).toBe(1);
    const x = tf.ones([2, 3]);
    const [a, b] = [legacy, loaded].map((m) => m.predict(x) as tf.Tensor);
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    tf.dispose([x, a, b]);
    legacy.dispose();
    loaded.dispose();
  });
});

describe('seedDropout', () => {
  const model = () => buildModel(specFromJson(SPECS['mlp dropout'].json), undefined, { seed: 1 });

  it('names what is wrong with a seed or saved counts', () => {
    const m = model();
    expect(() => seedDropout(m, -1)).toThrow(/^seed: /);
    expect(() => seedDropout(m, 1, [0])).toThrow(/^calls: the model has 2 dropout sites, got counts for 1/);
    expect(() => seedDropout(m, 1, [0, 1.5])).toThrow(/^calls\[1\]: /);
    m.dispose();
  });

  it('seeds models built from a spec with the build seed', () => {
    const m = model();
    expect(dropoutCalls(m)).toEqual([0, 0]);
    const x = tf.ones([2, 6]);
    const [a, b] = [m, model()].map((n) => {
      const y = n.apply(x, { training: true }) as tf.Tensor;
      const values = Array.from(y.dataSync());
      y.dispose();
      n.dispose();
      return values;
    });
    expect(b).toEqual(a);
    x.dispose();
  });
});

describe('maskSeed', () => {
  it('gives distinct 32-bit seeds across seeds, sites and calls, using every bit of the seed', () => {
    const seen = new Set<number>();
    for (const seed of [0, 1, 2 ** 32, 2 ** 40 + 1])
      for (let site = 0; site < 8; site++)
        for (let call = 0; call < 200; call++) {
          const s = maskSeed(seed, site, call);
          expect(Number.isInteger(s) && s >= 0 && s < 2 ** 32).toBe(true);
          seen.add(s);
        }
    expect(seen.size).toBe(4 * 8 * 200);
    expect(maskSeed(2 ** 32, 0, 0)).not.toBe(maskSeed(0, 0, 0));
    expect(maskSeed(0, 0, 2 ** 32)).not.toBe(maskSeed(0, 0, 0));
  });
});
