/** Points of one series in step order: parallel arrays, cheaper than an object per point. */
export interface SeriesPoints {
  readonly steps: readonly number[];
  readonly values: readonly number[];
  /** Wall time in milliseconds since the epoch. */
  readonly times: readonly number[];
}

/**
 * A series with bounded memory that keeps the whole run rather than only its end: when `capacity`
 * is reached it drops every other point and from then on keeps every 2nd arrival (then every 4th,
 * ...), so a long run is stored at a uniform, coarser resolution. The newest point is always kept
 * (it may be replaced by the next one), so the tail of a curve is never stale. A ring buffer would
 * forget the start of training, which is the part of a loss curve people compare runs by.
 */
export class SeriesBuffer implements SeriesPoints {
  readonly steps: number[] = [];
  readonly values: number[] = [];
  readonly times: number[] = [];
  /** Keep an arrival when its index is a multiple of stride (doubles at each thinning). */
  private stride = 1;
  private arrivals = 0;
  /** Whether the last point is only kept because it is the newest (not on the stride). */
  private tailProvisional = false;
  /** Points dropped so far by thinning. */
  evicted = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 4) throw new Error('capacity must be an integer >= 4');
  }

  get length(): number {
    return this.steps.length;
  }

  get lastStep(): number | undefined {
    return this.steps.at(-1);
  }

  get lastValue(): number | undefined {
    return this.values.at(-1);
  }

  /** Whether points of the run are missing here (thinned). */
  get thinned(): boolean {
    return this.evicted > 0;
  }

  /**
   * Appends a point; `step` must be >= lastStep (the caller rejects older ones). A point at the
   * last step replaces it (a retried batch must not duplicate points). Returns points dropped.
   */
  append(step: number, value: number, time: number): number {
    const last = this.steps.length - 1;
    if (last >= 0 && step === this.steps[last]) {
      this.values[last] = value;
      this.times[last] = time;
      return 0;
    }
    let dropped = 0;
    if (this.tailProvisional) {
      this.pop();
      dropped++;
    }
    this.steps.push(step);
    this.values.push(value);
    this.times.push(time);
    this.tailProvisional = this.arrivals++ % this.stride !== 0;
    if (this.steps.length > this.capacity) dropped += this.thin();
    this.evicted += dropped;
    return dropped;
  }

  /** Points with start <= step <= end, in step order. */
  range(start = -Infinity, end = Infinity): SeriesPoints {
    const from = firstIndex(this.steps, (s) => s >= start);
    const to = firstIndex(this.steps, (s) => s > end);
    return {
      steps: this.steps.slice(from, to),
      values: this.values.slice(from, to),
      times: this.times.slice(from, to),
    };
  }

  private pop(): void {
    this.steps.pop();
    this.values.pop();
    this.times.pop();
  }

  /** Keeps every other point on the stride (and the newest point); doubles the stride. */
  private thin(): number {
    const before = this.steps.length;
    const last = before - 1;
    let kept = 0;
    for (let i = 0; i < before; i++) {
      // Positions 0..k hold the points on the stride in order; only the last may be provisional.
      const onStride = i < last || !this.tailProvisional;
      const keep = (onStride && i % 2 === 0) || i === last;
      if (!keep) continue;
      this.steps[kept] = this.steps[i];
      this.values[kept] = this.values[i];
      this.times[kept] = this.times[i];
      kept++;
    }
    const lastOnNewStride = !this.tailProvisional && last % 2 === 0;
    this.steps.length = this.values.length = this.times.length = kept;
    this.stride *= 2;
    this.tailProvisional = !lastOnNewStride;
    return before - kept;
  }
}

/** First index whose value satisfies `past` (monotone over the sorted values), else length. */
function firstIndex(values: readonly number[], past: (value: number) => boolean): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (past(values[mid])) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
