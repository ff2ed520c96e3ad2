import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { syntheticStudy, writeStudyReport } from '@athanor/cli';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  browserAvailable,
  CHROMIUM,
  expectedPlots,
  launchChromium,
  renderReport,
} from './support/report-page';

// The study report in a real browser (issue 9). Under CI=true a missing browser fails the test
// (.ci/run installs it); elsewhere the suite is skipped.
if (!browserAvailable)
  console.warn(
    `report-browser: skipped, ${CHROMIUM} is missing (apt-get install chromium); CI=true makes this a failure`,
  );

describe.skipIf(!browserAvailable)('study report in headless Chromium', () => {
  let browser: Browser;
  const dir = mkdtempSync(join(tmpdir(), 'athanor-report-browser-'));

  beforeAll(async () => {
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('renders every plot with data, logs no error, loads nothing from the network', async () => {
    const page = writeStudyReport(syntheticStudy(), dir);
    const report = await renderReport(browser, page, 'report.png');
    expect(report.plots.map((p) => p.id).sort()).toEqual(expectedPlots(true).sort());
    for (const p of report.plots) {
      expect(p.shown, `${p.id} is laid out`).toBe(true);
      expect(p.marks, `${p.id} has lines or points`).toBeGreaterThan(0);
      // Lines span an area; a row of markers spans at least their own size.
      expect(p.width + p.height, `${p.id} has a non-zero extent`).toBeGreaterThan(0);
    }
    expect(report.leaderboardRows).toBeGreaterThan(0);
    expect(report.errors).toEqual([]);
    expect(report.requests).toEqual([]);
  });
});
