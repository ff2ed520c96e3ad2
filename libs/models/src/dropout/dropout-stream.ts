import { maskSeed } from './mask-seed';

/**
 * Where the masks of one dropout site (a dropout layer, attention dropout, one recurrent cell) come
 * from. Seeded (`seedDropout`), the n-th mask is drawn with the integer seed maskSeed(seed, site, n);
 * unseeded, tfjs seeds each mask from Math.random as its own Dropout does. `calls` is the only state
 * that changes, so a checkpoint keeps it (`dropoutState`).
 */
export class DropoutStream {
  private seed: number | undefined;
  private site = 0;
  /** Masks drawn since seeding. */
  calls = 0;

  /** Starts the stream of site `site` of a model seeded with `seed`, at its first mask. */
  seedWith(seed: number, site: number): void {
    this.seed = seed;
    this.site = site;
    this.calls = 0;
  }

  get seeded(): boolean {
    return this.seed !== undefined;
  }

  /** The seed for the next mask (tf.dropout's `seed`), or undefined when unseeded. */
  next(): number | undefined {
    if (this.seed === undefined) return undefined;
    return maskSeed(this.seed, this.site, this.calls++);
  }
}

/** A layer that draws dropout masks of its own (AthanorDropout, MultiHeadSelfAttention). */
export interface HasDropoutStream {
  readonly dropoutStream: DropoutStream;
  /** Whether the layer drops anything while training (a rate of 0 draws no masks). */
  readonly drawsMasks: boolean;
}
