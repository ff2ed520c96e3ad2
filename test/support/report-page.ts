import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium } from 'playwright-core';

/** Debian's chromium, driven by playwright-core (issue 9). */
export const CHROMIUM = '/usr/bin/chromium';

/**
 * Whether browser tests run: always under CI=true (.ci/run installs chromium, so a missing
 * browser fails), elsewhere only when chromium is there.
 */
export const browserAvailable = existsSync(CHROMIUM) || process.env.CI === 'true';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** The DOM this code reads inside the page (test/ compiles without the DOM library). */
interface SvgElement {
  getAttribute(name: string): string | null;
  querySelectorAll(selector: string): Iterable<{ getBBox(): { width: number; height: number } }>;
  getBoundingClientRect(): { width: number };
}

export interface RenderedPlot {
  readonly id: string | null;
  readonly marks: number;
  readonly width: number;
  readonly height: number;
  readonly shown: boolean;
}

export interface RenderedReport {
  readonly plots: RenderedPlot[];
  readonly leaderboardRows: number;
  readonly errors: string[];
  /** Requests for anything but the page's own file: a self-contained page makes none. */
  readonly requests: string[];
}

/** Opens a report page offline, reads its plots, and keeps a screenshot in test-artifacts/. */
export async function renderReport(
  browser: Browser,
  page: string,
  screenshot: string,
): Promise<RenderedReport> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, offline: true });
  try {
    const tab = await context.newPage();
    const errors: string[] = [];
    const requests: string[] = [];
    tab.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    tab.on('pageerror', (e) => errors.push(e.message));
    tab.on('request', (r) => !r.url().startsWith('file:') && requests.push(r.url()));
    await tab.goto(pathToFileURL(resolve(page)).href, { waitUntil: 'load' });
    const plots = await tab.$$eval('svg[data-plot]', (svgs) =>
      (svgs as unknown as SvgElement[]).map((svg) => {
        const marks = [...svg.querySelectorAll('path.line, circle.point')];
        const boxes = marks.map((m) => m.getBBox());
        return {
          id: svg.getAttribute('data-plot'),
          marks: marks.length,
          width: Math.max(0, ...boxes.map((b) => b.width)),
          height: Math.max(0, ...boxes.map((b) => b.height)),
          shown: svg.getBoundingClientRect().width > 0,
        };
      }),
    );
    const leaderboardRows = await tab.locator('table[data-table="leaderboard"] tbody tr').count();
    mkdirSync(join(__dirname, '..', '..', 'test-artifacts'), { recursive: true });
    await tab.screenshot({ path: join(__dirname, '..', '..', 'test-artifacts', screenshot), fullPage: true });
    return { plots, leaderboardRows, errors, requests };
  } finally {
    await context.close();
  }
}

/** Every plot of a report: the LR range test's only when one ran. */
export function expectedPlots(withLrRangeTest: boolean): string[] {
  return [
    'grad-norms',
    ...(withLrRangeTest ? ['lr-range-test'] : []),
    'lr-schedules',
    'result-by-batch',
    'scaled-lr',
    'train-loss',
    'val-accuracy',
    'val-loss',
  ];
}
