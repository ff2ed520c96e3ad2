import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exposedSeriesNames } from '../export/metric-names';
import { findPromtool, promtoolUnavailable } from '../testing/promtool';
import { metricsIn, panelQueries, substitute, variableMetrics } from './queries';
import { dashboards } from './all-dashboards';
import { renderGrafanaFiles } from './render-files';
import { GRAFANA_DIR } from './write-dashboards';

const grafanaDir = join(__dirname, '..', '..', '..', '..', 'deploy', 'grafana');

describe('Grafana dashboards', () => {
  it('are committed as the generator writes them (run `npm run dashboards -w @athanor/metrics`)', async () => {
    expect(GRAFANA_DIR.replace(/\/dist\//, '/src/')).toBe(grafanaDir);
    const files = await renderGrafanaFiles(grafanaDir);
    expect(Object.keys(files).sort()).toEqual([
      'configmaps/athanor-study-dashboard.yaml',
      'configmaps/athanor-training-dashboard.yaml',
      'dashboards/athanor-study.json',
      'dashboards/athanor-training.json',
      'provisioning/dashboards/athanor.yaml',
      'provisioning/datasources/prometheus.yaml',
    ]);
    for (const [path, content] of Object.entries(files)) {
      let committed = '';
      try {
        committed = readFileSync(join(grafanaDir, path), 'utf8');
      } catch {
        // missing: reported by the comparison below
      }
      expect(committed, `deploy/grafana/${path} is stale`).toBe(content);
    }
  });

  it('embed the dashboard JSON in ConfigMaps the Grafana sidecar picks up', async () => {
    const files = await renderGrafanaFiles(grafanaDir);
    for (const stem of Object.keys(dashboards())) {
      const map = files[`configmaps/${stem}-dashboard.yaml`];
      expect(map).toMatch(/^kind: ConfigMap$/m);
      expect(map).toMatch(/^ {4}grafana_dashboard: '1'$/m);
      const embedded = map
        .split(`  ${stem}.json: |\n`)[1]
        .split('\n')
        .map((l) => l.replace(/^ {4}/, ''))
        .join('\n');
      expect(JSON.parse(embedded)).toEqual(JSON.parse(files[`dashboards/${stem}.json`]));
    }
  });

  it('select runs by study, trial and run, and have the panels the issue asks for', () => {
    const { 'athanor-training': training, 'athanor-study': study } = dashboards();
    expect(training.templating.list.map((v) => v.name)).toEqual(['datasource', 'study', 'trial', 'run']);
    expect(training.panels.map((p) => p.title)).toEqual(
      expect.arrayContaining(['Loss', 'Learning rate', 'Gradient norm per layer group', 'Throughput']),
    );
    expect(training.panels.find((p) => p.type === 'heatmap')).toBeDefined();
    expect(study.panels.map((p) => p.title)).toEqual(
      expect.arrayContaining(['Trials by state', 'Objective over time', 'Best objective so far']),
    );
    const ids = training.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('query only metrics the service exports', () => {
    const known = new Set(exposedSeriesNames());
    for (const dash of Object.values(dashboards())) {
      for (const q of panelQueries(dash)) {
        expect(metricsIn(q.expr).length, q.where).toBeGreaterThan(0);
        for (const name of metricsIn(q.expr)) expect(known.has(name), `${q.where}: ${name}`).toBe(true);
      }
      for (const name of variableMetrics(dash))
        expect(known.has(name), `${dash.uid} variable: ${name}`).toBe(true);
    }
  });

  it('parse as PromQL (promtool check rules)', (ctx) => {
    const why = promtoolUnavailable();
    if (why) ctx.skip(why);
    const queries = Object.values(dashboards()).flatMap(panelQueries);
    // Each query becomes a recording rule: promtool parses every expression with Prometheus' parser.
    const rules = [
      'groups:',
      '  - name: dashboard-queries',
      '    rules:',
      ...queries.flatMap((q, i) => [
        `      - record: dashboard_query_${i}`,
        `        expr: ${JSON.stringify(substitute(q.expr))}`,
      ]),
    ].join('\n');
    const dir = mkdtempSync(join(tmpdir(), 'athanor-rules-'));
    try {
      writeFileSync(join(dir, 'rules.yml'), rules);
      const r = spawnSync(findPromtool()!, ['check', 'rules', join(dir, 'rules.yml')], { encoding: 'utf8' });
      expect(`${r.stdout}${r.stderr}`).toContain(`SUCCESS: ${queries.length} rules found`);
      expect(r.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
