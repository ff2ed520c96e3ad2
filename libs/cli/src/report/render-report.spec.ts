import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderStudyReport } from './render-report';
import { seriesCsv, trialsCsv } from './report-tables';
import { syntheticStudy } from './testing/synthetic-study';
import { writeStudyReport } from './write-report';

describe('study report', () => {
  const data = syntheticStudy();
  const html = renderStudyReport(data);

  it('is self-contained: no external resource, no script', () => {
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect(html).not.toMatch(/<script|<link|@import|url\(/);
  });

  it('draws every plot with data', () => {
    for (const id of [
      'train-loss',
      'val-loss',
      'val-accuracy',
      'lr-schedules',
      'scaled-lr',
      'result-by-batch',
      'grad-norms',
      'lr-range-test',
    ]) {
      const svg = new RegExp(`<svg data-plot="${id}"[^>]*>(.*?)</svg>`).exec(html)?.[1];
      expect(svg, id).toBeDefined();
      expect(svg, id).toMatch(/<path class="line"|<circle class="point"/);
    }
  });

  it('escapes user text', () => {
    expect(html).toContain('quickstart &lt;synthetic&gt;');
    expect(html).not.toContain('<synthetic>');
  });

  it('says "no data" instead of an empty frame', () => {
    const empty = renderStudyReport({ ...data, trials: [] });
    expect(empty).toMatch(/<svg data-plot="train-loss"[^>]*><text class="empty"/);
  });

  it('writes the page, JSON and CSV into a directory named after the study', () => {
    const root = mkdtempSync(join(tmpdir(), 'athanor-report-'));
    try {
      const page = writeStudyReport(data, root);
      expect(page).toBe(join(root, 'quickstart-synthetic', 'index.html'));
      const json = JSON.parse(readFileSync(join(root, 'quickstart-synthetic', 'study.json'), 'utf8')) as {
        trials: unknown[];
      };
      expect(json.trials).toHaveLength(10);
      expect(trialsCsv(data.trials).split('\n')[0]).toBe(
        'number,trial_id,state,objective_value,batch_size,scaled_lr,warmup_steps,warmup_epochs,warmup_start_factor,run_id,batch_size,scheduler,init.conv',
      );
      expect(seriesCsv(data.trials).split('\n').length).toBeGreaterThan(1000);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
