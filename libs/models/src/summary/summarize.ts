import type { modelbuilder } from '@athanor/contracts';
import type * as tf from '@tensorflow/tfjs';
import { INPUT_NODE, type ModelPlan, paramsOf, sizeOf } from '../plan';
import { layerFlops } from './flops';

export interface SummaryOptions {
  /** Batch size of the training-memory estimate. Default 32. */
  readonly batchSize?: number;
}

export const DEFAULT_SUMMARY_BATCH = 32;
const FLOAT_BYTES = 4;

/**
 * Training memory at batch size B, in bytes (float32):
 *   4 x parameter bytes (weights, gradients, two optimizer slots: Adam's m and v)
 *   + B x activation bytes per sample (every layer output and the input, kept for the backward pass).
 * It ignores the backend's workspace and fragmentation: a lower bound that ranks batch sizes correctly.
 */
export function trainingMemoryBytes(
  parameterBytes: number,
  activationBytesPerSample: number,
  batchSize: number,
): number {
  return 4 * parameterBytes + batchSize * activationBytesPerSample;
}

interface Row {
  readonly name: string;
  readonly className: string;
  readonly outputShape: readonly number[];
  readonly params: number;
  readonly trainableParams: number;
  readonly trainable: boolean;
  readonly flops: number;
  readonly inbound: readonly string[];
}

function finish(
  rows: readonly Row[],
  inputShape: readonly number[],
  batchSize: number,
): modelbuilder.ModelSummary {
  const total = rows.reduce((a, r) => a + r.params, 0);
  const trainable = rows.reduce((a, r) => a + r.trainableParams, 0);
  const activationBytes =
    FLOAT_BYTES * (sizeOf(inputShape) + rows.reduce((a, r) => a + sizeOf(r.outputShape), 0));
  const parameterBytes = FLOAT_BYTES * total;
  return {
    layers: rows.map((r) => ({
      name: r.name,
      className: r.className,
      outputShape: [...r.outputShape],
      params: r.params,
      trainable: r.trainable,
      flopsPerSample: r.flops,
      inboundLayers: [...r.inbound],
    })),
    totalParams: total,
    trainableParams: trainable,
    nonTrainableParams: total - trainable,
    flopsPerSample: rows.reduce((a, r) => a + r.flops, 0),
    activationBytesPerSample: activationBytes,
    parameterBytes,
    memoryEstimateBatchSize: batchSize,
    estimatedTrainingMemoryBytes: trainingMemoryBytes(parameterBytes, activationBytes, batchSize),
    outputShape: [...(rows[rows.length - 1]?.outputShape ?? inputShape)],
  };
}

/** The summary of a plan: what the model will cost, before anything is allocated (budget checks). */
export function summarizePlan(plan: ModelPlan, options: SummaryOptions = {}): modelbuilder.ModelSummary {
  const shapes = new Map<string, readonly number[]>([[INPUT_NODE, plan.inputShape]]);
  const rows = plan.nodes.map((node) => {
    shapes.set(node.name, node.outputShape);
    const { total, trainable } = paramsOf(node);
    return {
      name: node.name,
      className: node.className,
      outputShape: node.outputShape,
      params: total,
      trainableParams: trainable,
      trainable: true,
      flops: layerFlops({
        className: node.className,
        inputShapes: node.inputs.map((n) => shapes.get(n) ?? []),
        outputShape: node.outputShape,
        weights: node.weights,
      }),
      inbound: node.inputs,
    };
  });
  return finish(rows, plan.inputShape, options.batchSize ?? DEFAULT_SUMMARY_BATCH);
}

/** The summary of a built (or loaded) model; frozen layers count as non-trainable. */
export function summarize(model: tf.LayersModel, options: SummaryOptions = {}): modelbuilder.ModelSummary {
  const rows: Row[] = [];
  for (const layer of model.layers) {
    if (layer.getClassName() === 'InputLayer') continue;
    const weights = layer.weights.map((w) => ({
      name: w.originalName,
      shape: w.shape as number[],
      trainable: w.trainable,
    }));
    const params = weights.reduce((a, w) => a + sizeOf(w.shape), 0);
    const trainableParams = layer.trainable
      ? weights.filter((w) => w.trainable).reduce((a, w) => a + sizeOf(w.shape), 0)
      : 0;
    const node = layer.inboundNodes[0];
    const inputShapes = node ? shapeList(node.inputShapes).map(withoutBatch) : [];
    const outputShape = withoutBatch(shapeList(layer.outputShape)[0]);
    rows.push({
      name: layer.name,
      className: layer.getClassName(),
      outputShape,
      params,
      trainableParams,
      trainable: layer.trainable,
      flops: layerFlops({ className: layer.getClassName(), inputShapes, outputShape, weights }),
      inbound: node ? node.inboundLayers.map((l) => l.name) : [],
    });
  }
  return finish(rows, withoutBatch(model.inputs[0].shape), options.batchSize ?? DEFAULT_SUMMARY_BATCH);
}

// tfjs gives one shape or a list of shapes (several inputs or outputs).
function shapeList(shape: tf.Shape | tf.Shape[]): tf.Shape[] {
  return Array.isArray(shape[0]) ? (shape as tf.Shape[]) : [shape as tf.Shape];
}

function withoutBatch(shape: tf.Shape): number[] {
  return shape.slice(1).map((d) => d ?? 0);
}
