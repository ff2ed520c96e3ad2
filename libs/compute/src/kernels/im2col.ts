import { type ConvGeometry, validOutputRange } from './conv-geometry';

/**
 * Writes the patches of `x` transposed: `cols[k * P + p]` holds tap k = (kh, kw, c) of output
 * position p = (b, oy, ox), P = batch * outHeight * outWidth, zero where the tap falls in the
 * padding. Row k of the result times dy [P, outChannels] is row k of the filter gradient.
 * `x` is channels-first, [c, b, h, w] (for one channel that is NHWC's own layout): the inner loop
 * then reads contiguously, ~2.5x faster than gathering every c-th value of NHWC.
 */
export function im2colTransposed(xChannelsFirst: Float32Array, g: ConvGeometry, cols: Float32Array): void {
  const x = xChannelsFirst;
  const { batch, inHeight, inWidth, inChannels: ci, outHeight, outWidth } = g;
  const positions = batch * outHeight * outWidth;
  const sw = g.strideWidth;
  for (let kh = 0; kh < g.filterHeight; kh++) {
    const [oyFirst, oyEnd] = validOutputRange(
      kh,
      g.dilationHeight,
      g.strideHeight,
      g.padTop,
      inHeight,
      outHeight,
    );
    for (let kw = 0; kw < g.filterWidth; kw++) {
      const [oxFirst, oxEnd] = validOutputRange(kw, g.dilationWidth, sw, g.padLeft, inWidth, outWidth);
      const ix0 = oxFirst * sw + kw * g.dilationWidth - g.padLeft;
      for (let c = 0; c < ci; c++) {
        const row = ((kh * g.filterWidth + kw) * ci + c) * positions;
        for (let b = 0; b < batch; b++) {
          const image = (c * batch + b) * inHeight;
          for (let oy = 0; oy < outHeight; oy++) {
            const p = row + (b * outHeight + oy) * outWidth;
            if (oy < oyFirst || oy >= oyEnd) {
              cols.fill(0, p, p + outWidth);
              continue;
            }
            const iy = oy * g.strideHeight + kh * g.dilationHeight - g.padTop;
            let src = (image + iy) * inWidth + ix0;
            for (let ox = 0; ox < oxFirst; ox++) cols[p + ox] = 0;
            for (let ox = oxFirst; ox < oxEnd; ox++, src += sw) cols[p + ox] = x[src];
            for (let ox = oxEnd; ox < outWidth; ox++) cols[p + ox] = 0;
          }
        }
      }
    }
  }
}

/**
 * The adjoint of im2col: adds `cols[p * K + k]` (K = filterHeight * filterWidth * inChannels) into
 * the input position that tap k of output position p reads. `dx` must start zeroed.
 */
export function col2imAdd(cols: Float32Array, g: ConvGeometry, dx: Float32Array): void {
  const { inHeight, inWidth, inChannels: ci, outHeight, outWidth } = g;
  if (ci === 1) {
    col2imAddOneChannel(cols, g, dx);
    return;
  }
  const taps = g.filterHeight * g.filterWidth * ci;
  for (let b = 0; b < g.batch; b++) {
    for (let oy = 0; oy < outHeight; oy++) {
      for (let ox = 0; ox < outWidth; ox++) {
        const p = ((b * outHeight + oy) * outWidth + ox) * taps;
        for (let kh = 0; kh < g.filterHeight; kh++) {
          const iy = oy * g.strideHeight + kh * g.dilationHeight - g.padTop;
          if (iy < 0 || iy >= inHeight) continue;
          for (let kw = 0; kw < g.filterWidth; kw++) {
            const ix = ox * g.strideWidth + kw * g.dilationWidth - g.padLeft;
            if (ix < 0 || ix >= inWidth) continue;
            const dst = ((b * inHeight + iy) * inWidth + ix) * ci;
            const src = p + (kh * g.filterWidth + kw) * ci;
            for (let c = 0; c < ci; c++) dx[dst + c] += cols[src + c];
          }
        }
      }
    }
  }
}

/** col2imAdd for one input channel (a grayscale first layer): taps outermost, rows contiguous. */
function col2imAddOneChannel(cols: Float32Array, g: ConvGeometry, dx: Float32Array): void {
  const { inHeight, inWidth, outHeight, outWidth } = g;
  const taps = g.filterHeight * g.filterWidth;
  for (let kh = 0; kh < g.filterHeight; kh++) {
    const [oyFirst, oyEnd] = validOutputRange(
      kh,
      g.dilationHeight,
      g.strideHeight,
      g.padTop,
      inHeight,
      outHeight,
    );
    for (let kw = 0; kw < g.filterWidth; kw++) {
      const [oxFirst, oxEnd] = validOutputRange(
        kw,
        g.dilationWidth,
        g.strideWidth,
        g.padLeft,
        inWidth,
        outWidth,
      );
      const tap = kh * g.filterWidth + kw;
      for (let b = 0; b < g.batch; b++) {
        for (let oy = oyFirst; oy < oyEnd; oy++) {
          const iy = oy * g.strideHeight + kh * g.dilationHeight - g.padTop;
          let dst =
            (b * inHeight + iy) * inWidth + oxFirst * g.strideWidth + kw * g.dilationWidth - g.padLeft;
          let src = ((b * outHeight + oy) * outWidth + oxFirst) * taps + tap;
          for (let ox = oxFirst; ox < oxEnd; ox++, dst += g.strideWidth, src += taps) dx[dst] += cols[src];
        }
      }
    }
  }
}
