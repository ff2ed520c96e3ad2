import { check } from '../errors';
import { toRng, type Rng } from '../random';
import { sizeOf, type HostTensor } from './host-tensor';
import type { RandomOptions } from './sample';

export interface OrthogonalOptions extends RandomOptions {
  /** Scale of the result; default 1. */
  readonly gain?: number;
  /**
   * Split the last axis into this many blocks and make each block orthogonal on its own, e.g. 4
   * for an LSTM recurrent kernel [units, 4 * units] (one orthogonal [units, units] per gate).
   * Default 1: the whole kernel, as PyTorch's `orthogonal_` on a full weight.
   */
  readonly gates?: number;
}

/**
 * `nn.init.orthogonal_` (Saxe et al. 2014) for a channels-last kernel: viewed as a matrix
 * [size / out, out], the result has orthonormal columns (W^T W = gain^2 I) when it is tall and
 * orthonormal rows when it is wide, which is PyTorch's result for its [out, in * k] weight
 * transposed. The Q of a seeded normal matrix, with R's diagonal made positive as PyTorch does.
 */
export function orthogonal(shape: readonly number[], options: OrthogonalOptions): HostTensor {
  check(shape.length >= 2, 'shape', `orthogonal needs rank >= 2, got [${shape.join(', ')}]`);
  const size = sizeOf(shape);
  const gain = options.gain ?? 1;
  check(Number.isFinite(gain), 'gain', `must be finite, got ${gain}`);
  const gates = options.gates ?? 1;
  const out = shape[shape.length - 1];
  check(
    Number.isInteger(gates) && gates >= 1 && out % gates === 0,
    'gates',
    `must be a positive integer dividing ${out}, got ${gates}`,
  );
  const values = new Float32Array(size);
  if (size === 0) return { values, shape: [...shape] };
  const rows = size / out;
  const cols = out / gates;
  const rng = toRng(options.random);
  for (let gate = 0; gate < gates; gate++) {
    const block = semiOrthogonal(rows, cols, rng);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) values[r * out + gate * cols + c] = gain * block[r * cols + c];
    }
  }
  return { values, shape: [...shape] };
}

/** A rows x cols matrix (row-major, float64) with orthonormal columns if tall, rows if wide. */
function semiOrthogonal(rows: number, cols: number, rng: Rng): Float64Array {
  const tall = rows >= cols;
  const m = tall ? rows : cols;
  const k = tall ? cols : rows;
  // Columns of an m x k normal matrix, orthonormalised by modified Gram–Schmidt: the R it implies
  // has a positive diagonal, which is exactly PyTorch's sign correction `q *= sign(diag(r))`.
  const columns: Float64Array[] = [];
  for (let j = 0; j < k; j++) {
    const v = new Float64Array(m);
    for (let i = 0; i < m; i++) v[i] = rng.normal();
    // Two passes ("twice is enough", Giraud et al. 2005) keep float64 orthogonality near 1e-15.
    for (let pass = 0; pass < 2; pass++) {
      for (const q of columns) {
        let dot = 0;
        for (let i = 0; i < m; i++) dot += q[i] * v[i];
        for (let i = 0; i < m; i++) v[i] = v[i] - dot * q[i];
      }
    }
    let norm = 0;
    for (let i = 0; i < m; i++) norm += v[i] * v[i];
    norm = Math.sqrt(norm);
    for (let i = 0; i < m; i++) v[i] = v[i] / norm;
    columns.push(v);
  }
  const result = new Float64Array(rows * cols);
  for (let j = 0; j < k; j++) {
    for (let i = 0; i < m; i++) {
      // Tall: column j of the result; wide: row j (the transpose, as PyTorch does for rows < cols).
      if (tall) result[i * cols + j] = columns[j][i]!;
      else result[j * cols + i] = columns[j][i]!;
    }
  }
  return result;
}
