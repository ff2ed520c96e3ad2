/**
 * The well-known metric names (MetricPoint's comment lists them): what values they may take, which
 * labels they carry, and how the Prometheus export maps them. Other valid names are stored for
 * QueryRun only, as the contract says, and count against ATHANOR_METRICS_MAX_SERIES_PER_RUN.
 */
export interface KnownMetric {
  /** Smallest allowed value (inclusive). */
  readonly min: number;
  /** Largest allowed value (inclusive). */
  readonly max: number;
  /** Whether points may name a layer (per-layer metrics). */
  readonly layer: boolean;
  /** Whether points may name a parameter group (per-group metrics). */
  readonly parameterGroup: boolean;
}

const any: KnownMetric = { min: -Infinity, max: Infinity, layer: false, parameterGroup: false };
const nonNegative: KnownMetric = { ...any, min: 0 };
const ratio: KnownMetric = { ...any, min: 0, max: 1 };

export const KNOWN_METRICS: Readonly<Record<string, KnownMetric>> = {
  // Losses may be negative (e.g. a negative log-likelihood with densities above 1).
  train_loss: any,
  val_loss: any,
  train_top1: ratio,
  val_top1: ratio,
  val_top5: ratio,
  lr: { ...nonNegative, parameterGroup: true },
  grad_norm: { ...nonNegative, layer: true },
  samples_per_second: nonNegative,
  step_seconds: nonNegative,
  epoch: nonNegative,
};

export const knownMetric = (name: string): KnownMetric | undefined =>
  Object.prototype.hasOwnProperty.call(KNOWN_METRICS, name) ? KNOWN_METRICS[name] : undefined;
