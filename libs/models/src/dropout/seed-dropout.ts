import * as tf from '@tensorflow/tfjs';
import { DropoutStream, type HasDropoutStream } from './dropout-stream';

/** tfjs's recurrent cells draw their input and recurrent masks through `dropoutFunc` when it is set. */
interface RecurrentCell {
  readonly dropout?: number;
  readonly recurrentDropout?: number;
  dropoutFunc?: (x: tf.Tensor, rate: number) => tf.Tensor;
}

// A recurrent cell's stream, created (and its dropoutFunc installed) the first time the cell is seen.
const cellStreams = new WeakMap<object, DropoutStream>();

/**
 * Seeds every dropout site of `model` (AthanorDropout layers, attention dropout, LSTM/GRU input and
 * recurrent dropout), numbered 0, 1, ... in layer order: site i draws mask n with the integer seed
 * maskSeed(seed, i, n). `calls` (from `dropoutCalls`, e.g. a checkpoint's) continues each site where it
 * stopped; without it every site starts at its first mask. Returns the number of sites.
 */
export function seedDropout(model: tf.LayersModel, seed: number, calls?: readonly number[]): number {
  if (!(Number.isSafeInteger(seed) && seed >= 0))
    throw new Error(`seed: must be a non-negative safe integer, got ${seed}`);
  const streams = dropoutStreams(model);
  if (calls !== undefined && calls.length !== streams.length)
    throw new Error(`calls: the model has ${streams.length} dropout sites, got counts for ${calls.length}`);
  streams.forEach((stream, site) => {
    stream.seedWith(seed, site);
    if (calls === undefined) return;
    const n = calls[site];
    if (!(Number.isSafeInteger(n) && n >= 0))
      throw new Error(`calls[${site}]: must be a non-negative safe integer, got ${n}`);
    stream.calls = n;
  });
  return streams.length;
}

/** The masks each dropout site of `model` has drawn since seeding, in site order (for checkpoints). */
export function dropoutCalls(model: tf.LayersModel): number[] {
  return dropoutStreams(model).map((s) => s.calls);
}

function dropoutStreams(model: tf.LayersModel): DropoutStream[] {
  const streams: DropoutStream[] = [];
  const visit = (layer: tf.layers.Layer): void => {
    if (hasStream(layer)) {
      if (layer.drawsMasks) streams.push(layer.dropoutStream);
    } else if (layer instanceof tf.LayersModel) {
      layer.layers.forEach(visit);
    } else if (layer instanceof tf.RNN) {
      for (const cell of cellsOf(layer.cell)) {
        const stream = cellStream(cell);
        if (stream) streams.push(stream);
      }
    } else {
      // Bidirectional keeps its two copies of the wrapped RNN in private fields (no public accessor).
      const { forwardLayer, backwardLayer } = layer as unknown as {
        forwardLayer?: tf.layers.Layer;
        backwardLayer?: tf.layers.Layer;
      };
      if (forwardLayer) visit(forwardLayer);
      if (backwardLayer) visit(backwardLayer);
    }
  };
  model.layers.forEach(visit);
  return streams;
}

function hasStream(layer: tf.layers.Layer): layer is tf.layers.Layer & HasDropoutStream {
  return (layer as Partial<HasDropoutStream>).dropoutStream instanceof DropoutStream;
}

function cellsOf(cell: unknown): RecurrentCell[] {
  const stacked = (cell as { cells?: unknown[] }).cells;
  return Array.isArray(stacked) ? stacked.flatMap(cellsOf) : [cell as RecurrentCell];
}

function cellStream(cell: RecurrentCell): DropoutStream | undefined {
  if (!((cell.dropout ?? 0) > 0 || (cell.recurrentDropout ?? 0) > 0)) return undefined;
  let stream = cellStreams.get(cell);
  if (stream === undefined) {
    const created = new DropoutStream();
    cell.dropoutFunc = (x, rate) => tf.dropout(x, rate, undefined, created.next());
    cellStreams.set(cell, created);
    stream = created;
  }
  return stream;
}
