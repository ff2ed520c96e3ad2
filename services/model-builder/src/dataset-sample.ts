import { BatchLoader, loadDataset, resolveNormalization } from '@athanor/datasets';
import type { ModelPlan } from '@athanor/models';
import { InvalidArgumentError, violationsOf } from '@athanor/service-kit';

/**
 * The first `batchSize` training examples of a built-in dataset (in its fixed stored order), with
 * the dataset's default normalisation: real inputs for InspectInitialization, so a diagnosis sees
 * the statistics training will see. Errors name the request's `dataset` field.
 */
export async function datasetSample(
  name: string,
  plan: ModelPlan,
  batchSize: number,
): Promise<{ x: Float32Array; labels: Int32Array }> {
  let dataset;
  try {
    dataset = await loadDataset({ source: { kind: 'name', name } });
  } catch (err) {
    const violations = violationsOf(err);
    if (!violations) throw err;
    throw new InvalidArgumentError(violations.map((v) => ({ field: 'dataset', description: v.description })));
  }
  const { info, train } = dataset;
  const bad = (description: string) => new InvalidArgumentError({ field: 'dataset', description });
  if (info.exampleShape.join('x') !== plan.inputShape.join('x')) {
    throw bad(
      `${name} examples are [${info.exampleShape.join(', ')}], the model takes [${plan.inputShape.join(', ')}]`,
    );
  }
  if (info.numClasses > plan.numClasses) {
    throw bad(`${name} has ${info.numClasses} classes, the model outputs ${plan.numClasses}`);
  }
  if (train.size < batchSize)
    throw bad(`${name} has ${train.size} training examples, fewer than batchSize ${batchSize}`);
  const loader = new BatchLoader(train, {
    batchSize,
    normalization: resolveNormalization(undefined, dataset),
    shuffle: false,
  });
  const batch = loader.batch({ epoch: 0, batchIndex: 0 });
  return { x: batch.x, labels: batch.y };
}
