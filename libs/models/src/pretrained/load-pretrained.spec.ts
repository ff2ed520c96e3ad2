import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeArtifact } from '../artifact/artifact-store';
import {
  ArtifactNotFoundError,
  CorruptArtifactError,
  fromArtifact,
  toArtifact,
} from '../artifact/model-artifact';
import { buildModel, createModel } from '../build/build-model';
import { summarize } from '../summary/summarize';
import { initFromJson, specFromJson } from '../testing/specs';

const dir = mkdtempSync(join(tmpdir(), 'athanor-pretrained-'));
beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const backbone = (numClasses: number) =>
  specFromJson({
    inputShape: [8, 8, 1],
    numClasses,
    cnn: {
      stages: [
        { name: 'stage1', block: { channels: 4, pooling: { kind: 'POOLING_KIND_MAX' } } },
        { name: 'stage2', block: { channels: 6 } },
      ],
    },
  });

describe('pretrained weights', () => {
  it('loads matching layers, re-initialises the new head, freezes by pattern, and fine-tunes end to end', async () => {
    const source = buildModel(backbone(10), undefined, { seed: 1 });
    const saved = await writeArtifact(join(dir, 'source'), await toArtifact(source));
    const init = initFromJson({
      seed: 2,
      pretrained: { artifactUri: pathToFileURL(join(dir, 'source')).toString(), frozenLayers: ['stage1*'] },
    });
    const { model, pretrained } = await createModel(backbone(3), init);
    expect(saved).toMatch(/model\.json$/);
    expect(pretrained!.loadedLayers).toEqual([
      'stage1_block0_conv0',
      'stage1_block0_norm0',
      'stage2_block0_conv0',
      'stage2_block0_norm0',
    ]);
    expect(pretrained!.mismatchedLayers).toEqual([
      expect.objectContaining({
        layer: 'logits',
        weight: 'logits/kernel',
        expectedShape: [6, 3],
        foundShape: [6, 10],
      }),
    ]);
    expect(pretrained!.frozenLayers).toEqual(['stage1_block0_conv0', 'stage1_block0_norm0']);
    const conv = (m: tf.LayersModel) =>
      Array.from(m.getLayer('stage2_block0_conv0').getWeights()[0].dataSync());
    expect(conv(model)).toEqual(conv(source));

    // Fine-tune: frozen layers keep their weights, the rest move.
    const frozenBefore = Array.from(model.getLayer('stage1_block0_conv0').getWeights()[0].dataSync());
    const x = tf.randomNormal([4, 8, 8, 1], 0, 1, 'float32', 5);
    const y = tf.oneHot(tf.tensor1d([0, 1, 2, 1], 'int32'), 3).toFloat();
    const optimizer = tf.train.sgd(0.1);
    for (let i = 0; i < 3; i++) {
      optimizer.minimize(
        () =>
          tf.losses.softmaxCrossEntropy<tf.Tensor, tf.Scalar>(
            y,
            model.apply(x, { training: true }) as tf.Tensor,
          ),
        false,
        model.trainableWeights.map((w) => w.read() as tf.Variable),
      );
    }
    expect(Array.from(model.getLayer('stage1_block0_conv0').getWeights()[0].dataSync())).toEqual(
      frozenBefore,
    );
    expect(conv(model)).not.toEqual(conv(source));
    expect(summarize(model).trainableParams).toBeLessThan(summarize(model).totalParams - 12);

    // Frozen layers stay frozen through serialisation.
    const loaded = await fromArtifact(await toArtifact(model));
    expect(loaded.getLayer('stage1_block0_conv0').trainable).toBe(false);
    tf.dispose([x, y]);
    optimizer.dispose();
    [source, model, loaded].forEach((m) => m.dispose());
  });

  it('is strict on request, and can exclude layers', async () => {
    const uri = join(dir, 'source');
    await expect(
      createModel(backbone(3), initFromJson({ pretrained: { artifactUri: uri, strict: true } })),
    ).rejects.toMatchObject({
      violations: [
        expect.objectContaining({
          field: 'init.pretrained.strict',
          description: expect.stringContaining('logits') as unknown,
        }),
      ],
    });
    const { model, pretrained } = await createModel(
      backbone(10),
      initFromJson({ pretrained: { artifactUri: uri, excludeLayers: ['logits'] } }),
    );
    expect(pretrained!.initializedLayers).toEqual(['logits']);
    expect(pretrained!.unusedSavedLayers).toEqual(['logits']);
    model.dispose();
  });

  it('says clearly when the checkpoint is missing or corrupt', async () => {
    const missing = initFromJson({ pretrained: { artifactUri: join(dir, 'nope') } });
    await expect(createModel(backbone(3), missing)).rejects.toThrow(ArtifactNotFoundError);
    const corruptDir = join(dir, 'corrupt');
    await writeArtifact(corruptDir, await toArtifact(buildModel(backbone(3), undefined, { seed: 1 })));
    writeFileSync(join(corruptDir, 'weights.bin'), Buffer.alloc(10));
    await expect(
      createModel(backbone(3), initFromJson({ pretrained: { artifactUri: corruptDir } })),
    ).rejects.toThrow(/weight files hold 10 bytes, the manifest needs \d+ \(truncated\?\)/);
    writeFileSync(join(corruptDir, 'model.json'), '{"modelTopology": ');
    await expect(
      createModel(backbone(3), initFromJson({ pretrained: { artifactUri: corruptDir } })),
    ).rejects.toThrow(CorruptArtifactError);
  });

  it('reads artifacts over http(s)', async () => {
    const artifact = await toArtifact(buildModel(backbone(3), undefined, { seed: 4 }));
    await writeArtifact(join(dir, 'served'), artifact);
    const files: Record<string, Buffer> = {
      'https://models.example/m/model.json': Buffer.from(
        JSON.stringify({
          modelTopology: JSON.parse(artifact.modelTopologyJson) as unknown,
          weightsManifest: [{ paths: ['w.bin'], weights: artifact.weightSpecs }],
        }),
      ),
      'https://models.example/m/w.bin': artifact.weightData,
    };
    const fakeFetch = (url: string | URL | Request) => {
      const body = files[url instanceof Request ? url.url : url.toString()];
      return Promise.resolve(body ? new Response(body) : new Response('no', { status: 404 }));
    };
    const { model, pretrained } = await createModel(
      backbone(3),
      initFromJson({ pretrained: { artifactUri: 'https://models.example/m' } }),
      {
        artifacts: { fetch: fakeFetch },
      },
    );
    expect(pretrained!.loadedLayers).toHaveLength(5);
    model.dispose();
    await expect(
      createModel(
        backbone(3),
        initFromJson({ pretrained: { artifactUri: 'https://models.example/missing' } }),
        { artifacts: { fetch: fakeFetch } },
      ),
    ).rejects.toThrow(/HTTP 404/);
  });
});
