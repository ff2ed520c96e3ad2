import { escapeHtml } from './escape-html';

export interface PlotSeries {
  readonly label: string;
  readonly points: readonly (readonly [number, number])[];
}

export interface PlotOptions {
  /** Stable id in `data-plot` (tests and readers find plots by it). */
  readonly id: string;
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly PlotSeries[];
  /** Logarithmic y axis (learning rates, gradient norms). Default false. */
  readonly logY?: boolean;
  /** Logarithmic x axis (batch sizes, LR sweeps). Default false. */
  readonly logX?: boolean;
  /** Draw markers instead of lines (few points, e.g. one per batch size). Default false. */
  readonly markers?: boolean;
  readonly width?: number;
  readonly height?: number;
}

// Colour-blind-safe palette (Okabe & Ito 2008), cycled.
const COLOURS = ['#0072b2', '#e69f00', '#009e73', '#d55e00', '#cc79a7', '#56b4e9', '#f0e442', '#000000'];
const M = { left: 64, right: 16, top: 28, bottom: 40 };

/** 3 significant digits, exponent form for tiny or huge values. */
export function tick(value: number): string {
  if (value === 0) return '0';
  const abs = Math.abs(value);
  if (abs < 1e-3 || abs >= 1e5) return value.toExponential(1);
  return String(Number(value.toPrecision(3)));
}

function ticks(lo: number, hi: number, log: boolean): number[] {
  if (log) {
    const out: number[] = [];
    for (let e = Math.floor(lo); e <= Math.ceil(hi); e++) if (e >= lo - 1e-9 && e <= hi + 1e-9) out.push(e);
    return out.length >= 2 ? out : [lo, hi];
  }
  return Array.from({ length: 5 }, (_, i) => lo + ((hi - lo) * i) / 4);
}

/**
 * A plot as inline SVG, drawn here so the report needs no library, CDN or network. Non-finite
 * values (and non-positive ones on a log axis) are skipped, not drawn as spikes.
 */
export function svgPlot(o: PlotOptions): string {
  const W = o.width ?? 640;
  const H = o.height ?? 320;
  const fx = (x: number) => (o.logX ? Math.log10(x) : x);
  const fy = (y: number) => (o.logY ? Math.log10(y) : y);
  const ok = (x: number, y: number) =>
    Number.isFinite(fx(x)) && Number.isFinite(fy(y)) && !(o.logX && x <= 0) && !(o.logY && y <= 0);
  const series = o.series
    .map((s) => ({
      label: s.label,
      points: s.points.filter(([x, y]) => ok(x, y)).map(([x, y]) => [fx(x), fy(y)] as const),
    }))
    .filter((s) => s.points.length > 0);
  const head = `<figure class="plot"><figcaption>${escapeHtml(o.title)}</figcaption>`;
  const open = `<svg data-plot="${escapeHtml(o.id)}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${escapeHtml(o.title)}">`;
  if (series.length === 0)
    return `${head}${open}<text class="empty" x="${W / 2}" y="${H / 2}" text-anchor="middle">no data</text></svg></figure>`;
  const xs = series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = series.flatMap((s) => s.points.map((p) => p[1]));
  let [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  let [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  if (x0 === x1) [x0, x1] = [x0 - 1, x1 + 1];
  if (y0 === y1) [y0, y1] = [y0 - Math.abs(y0 || 1) * 0.1, y1 + Math.abs(y1 || 1) * 0.1];
  const px = (x: number) => M.left + ((x - x0) / (x1 - x0)) * (W - M.left - M.right);
  const py = (y: number) => H - M.bottom - ((y - y0) / (y1 - y0)) * (H - M.top - M.bottom);
  const parts: string[] = [];
  // Axes with ticks and grid lines.
  for (const t of ticks(y0, y1, o.logY ?? false)) {
    const y = py(t).toFixed(1);
    parts.push(`<line class="grid" x1="${M.left}" x2="${W - M.right}" y1="${y}" y2="${y}"/>`);
    parts.push(
      `<text class="tick" x="${M.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${tick(o.logY ? 10 ** t : t)}</text>`,
    );
  }
  for (const t of ticks(x0, x1, o.logX ?? false)) {
    const x = px(t).toFixed(1);
    parts.push(
      `<text class="tick" x="${x}" y="${H - M.bottom + 16}" text-anchor="middle">${tick(o.logX ? 10 ** t : t)}</text>`,
    );
  }
  parts.push(`<line class="axis" x1="${M.left}" x2="${M.left}" y1="${M.top}" y2="${H - M.bottom}"/>`);
  parts.push(
    `<line class="axis" x1="${M.left}" x2="${W - M.right}" y1="${H - M.bottom}" y2="${H - M.bottom}"/>`,
  );
  parts.push(
    `<text class="label" x="${(M.left + W - M.right) / 2}" y="${H - 6}" text-anchor="middle">${escapeHtml(o.xLabel)}</text>`,
  );
  parts.push(
    `<text class="label" transform="translate(14 ${(M.top + H - M.bottom) / 2}) rotate(-90)" text-anchor="middle">${escapeHtml(o.yLabel)}</text>`,
  );
  series.forEach((s, i) => {
    const colour = COLOURS[i % COLOURS.length];
    const title = `<title>${escapeHtml(s.label)}</title>`;
    if (o.markers) {
      for (const [x, y] of s.points)
        parts.push(
          `<circle class="point" data-series="${escapeHtml(s.label)}" cx="${px(x).toFixed(1)}" cy="${py(y).toFixed(1)}" r="4" fill="${colour}">${title}</circle>`,
        );
    } else {
      const d = s.points
        .map(([x, y], j) => `${j === 0 ? 'M' : 'L'}${px(x).toFixed(1)} ${py(y).toFixed(1)}`)
        .join(' ');
      parts.push(
        `<path class="line" data-series="${escapeHtml(s.label)}" d="${d}" stroke="${colour}" fill="none">${title}</path>`,
      );
    }
    // Legend, top right, one row per series (at most 10 shown).
    if (i < 10)
      parts.push(
        `<text class="legend" x="${W - M.right - 4}" y="${M.top + 12 * i}" text-anchor="end" fill="${colour}">${escapeHtml(s.label)}</text>`,
      );
  });
  return `${head}${open}${parts.join('')}</svg></figure>`;
}
