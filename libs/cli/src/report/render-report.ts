import { tuner } from '@athanor/contracts';
import { escapeHtml } from './escape-html';
import { parameterNames, parameterText, shortParameterText, trialState } from './report-tables';
import type { ReportTrial, StudyReportData } from './study-report-data';
import { type PlotSeries, svgPlot, tick } from './svg-plot';

/** "1 epoch from 0.5x", "200 steps from 0.25x", or "none". */
function warmupText(s: tuner.TrialScaling | undefined): string {
  if (!s) return '';
  const from = s.warmupStartFactor > 0 ? ` from ${Number(s.warmupStartFactor.toPrecision(3))}x` : '';
  if (s.warmupEpochs > 0)
    return `${Number(s.warmupEpochs.toPrecision(3))} epoch${s.warmupEpochs === 1 ? '' : 's'}${from}`;
  if (s.warmupSteps > 0) return `${s.warmupSteps} steps${from}`;
  return 'none';
}

const trialLabel = (t: ReportTrial) => `#${t.trial.number} ${summary(t)}`;

function summary(t: ReportTrial): string {
  return Object.entries(t.trial.parameters)
    .map(([k, v]) => `${k.split('.').at(-1)}=${shortParameterText(v)}`)
    .join(' ');
}

function seriesOf(trials: readonly ReportTrial[], name: string): PlotSeries[] {
  return trials.map((t) => ({
    label: trialLabel(t),
    points: t.series
      .filter((s) => s.name === name && !s.layer)
      .flatMap((s) => s.points.map((p) => [p.step, p.value] as const)),
  }));
}

function lrSeries(trials: readonly ReportTrial[]): PlotSeries[] {
  return trials.map((t) => {
    const lr = t.series.filter((s) => s.name === 'lr' && (s.parameterGroup ?? 'default') === 'default');
    const points =
      lr.length > 0
        ? lr.flatMap((s) => s.points.map((p) => [p.step, p.value] as const))
        : (t.lrSchedule ?? []).map((v, i) => [i + 1, v] as const);
    return { label: trialLabel(t), points };
  });
}

/** Per-layer gradient norms of the best trial (or the first with any), one line per layer. */
function gradientSeries(data: StudyReportData): { title: string; series: PlotSeries[] } {
  const best = data.trials.find((t) => t.trial.id === data.study.bestTrial?.id);
  const withNorms = [best, ...data.trials].find((t) =>
    t?.series.some((s) => s.name === 'grad_norm' && s.layer),
  );
  if (!withNorms) return { title: 'Gradient norms per layer', series: [] };
  return {
    title: `Gradient norms per layer over time (trial #${withNorms.trial.number})`,
    series: withNorms.series
      .filter((s) => s.name === 'grad_norm' && s.layer)
      .map((s) => ({ label: s.layer!, points: s.points.map((p) => [p.step, p.value] as const) })),
  };
}

const fmt = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '–' : tick(x));

function table(header: readonly string[], rows: readonly (readonly string[])[], id: string): string {
  const th = header.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const tr = rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`).join('');
  return `<table data-table="${id}"><thead><tr>${th}</tr></thead><tbody>${tr}</tbody></table>`;
}

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px auto;max-width:1340px;color:#1b1b1b;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
.meta{color:#555}.grid2{display:grid;grid-template-columns:repeat(auto-fit,minmax(640px,1fr));gap:12px}
figure.plot{margin:0;border:1px solid #e3e3e3;border-radius:6px;padding:6px;background:#fff}
figcaption{font-weight:600;margin:2px 4px 4px}
svg .grid{stroke:#eee}svg .axis{stroke:#777}svg .tick,svg .legend{font-size:10px;fill:#555}svg .legend{font-weight:600}
svg .label{font-size:11px;fill:#333}svg .line{stroke-width:1.6}svg .empty{fill:#999}
table{border-collapse:collapse;font-size:13px}th,td{padding:3px 10px;border-bottom:1px solid #eee;text-align:left}
th{background:#f6f6f6}.best{background:#eef8ee;border:1px solid #bcdcbc;border-radius:6px;padding:8px 12px;display:inline-block}
code{background:#f3f3f3;padding:1px 4px;border-radius:3px}`;

/**
 * The study report: one self-contained HTML page (inline CSS and SVG, no script, no external
 * resource), so it opens offline and can be mailed or archived as a single file.
 */
export function renderStudyReport(data: StudyReportData): string {
  const study = data.study.study;
  const name = study?.spec?.name || study?.id || 'study';
  const best = data.study.bestTrial;
  const params = parameterNames(data.trials);
  const objective = study?.spec?.objective?.metric || 'val_loss';
  const scaling = data.study.scalingReport;
  const grads = gradientSeries(data);
  const counts = study?.trialCounts;

  const plots = [
    svgPlot({
      id: 'train-loss',
      title: 'Training loss per trial',
      xLabel: 'optimizer step',
      yLabel: 'train loss',
      series: seriesOf(data.trials, 'train_loss'),
    }),
    svgPlot({
      id: 'val-loss',
      title: 'Validation loss per trial',
      xLabel: 'optimizer step',
      yLabel: 'validation loss',
      series: seriesOf(data.trials, 'val_loss'),
    }),
    svgPlot({
      id: 'val-accuracy',
      title: 'Validation accuracy (top-1) per trial',
      xLabel: 'optimizer step',
      yLabel: 'top-1',
      series: seriesOf(data.trials, 'val_top1'),
    }),
    svgPlot({
      id: 'lr-schedules',
      title: 'Learning-rate schedules used',
      xLabel: 'optimizer step',
      yLabel: 'learning rate',
      series: lrSeries(data.trials),
      logY: true,
    }),
    svgPlot({
      id: 'scaled-lr',
      title: 'Scaled learning rate per batch size (linear rule)',
      xLabel: 'batch size',
      yLabel: 'learning rate',
      series: [{ label: 'scaled lr', points: scaling.map((b) => [b.batchSize, b.scaledLr] as const) }],
      logX: true,
      logY: true,
      markers: true,
    }),
    svgPlot({
      id: 'result-by-batch',
      title: `Result per batch size (${objective}): where the rule stops holding`,
      xLabel: 'batch size',
      yLabel: objective,
      series: [
        {
          label: 'best',
          points: scaling
            .filter((b) => b.bestValue !== undefined)
            .map((b) => [b.batchSize, b.bestValue!] as const),
        },
        {
          label: 'median',
          points: scaling
            .filter((b) => b.medianValue !== undefined)
            .map((b) => [b.batchSize, b.medianValue!] as const),
        },
      ],
      logX: true,
      markers: true,
    }),
    svgPlot({
      id: 'grad-norms',
      title: grads.title,
      xLabel: 'optimizer step',
      yLabel: 'gradient L2 norm',
      series: grads.series,
      logY: true,
    }),
  ];
  if (data.lrRangeTest)
    plots.push(
      svgPlot({
        id: 'lr-range-test',
        title: `LR range test${data.lrRangeTest.suggested ? ` (suggested ${tick(data.lrRangeTest.suggested)})` : ''}`,
        xLabel: 'learning rate',
        yLabel: 'smoothed loss',
        series: [
          {
            label: 'smoothed loss',
            points: data.lrRangeTest.points.map((p) => [p.lr, p.smoothedLoss] as const),
          },
        ],
        logX: true,
      }),
    );

  const leaderboard = table(
    ['rank', 'trial', objective, 'batch', 'lr', ...params.filter((p) => p !== 'batch_size')],
    data.study.leaderboard.map((t, i) => [
      String(i + 1),
      `#${t.number}`,
      fmt(t.objectiveValue),
      String(t.scaling?.batchSize ?? shortParameterText(t.parameters.batch_size)),
      fmt(t.scaling?.lr),
      ...params.filter((p) => p !== 'batch_size').map((p) => shortParameterText(t.parameters[p])),
    ]),
    'leaderboard',
  );
  const allTrials = table(
    ['trial', 'state', objective, 'batch', 'scaled lr', 'warm-up', 'parameters'],
    data.trials.map(({ trial: t }) => [
      `#${t.number}`,
      trialState(t.state),
      fmt(t.objectiveValue),
      String(t.scaling?.batchSize ?? ''),
      fmt(t.scaling?.lr),
      warmupText(t.scaling),
      Object.entries(t.parameters)
        .map(([k, v]) => `${k}=${shortParameterText(v)}`)
        .join(', '),
    ]),
    'trials',
  );
  const scalingTable = table(
    ['batch size', 'scaled lr', 'trials', 'completed', 'best', 'median', 'gap to reference'],
    scaling.map((b) => [
      String(b.batchSize),
      fmt(b.scaledLr),
      String(b.trials),
      String(b.completed),
      fmt(b.bestValue),
      fmt(b.medianValue),
      fmt(b.gapToReference),
    ]),
    'scaling',
  );
  const importances = table(
    ['parameter', 'importance'],
    data.study.importances.map((i) => [i.parameter, fmt(i.importance)]),
    'importances',
  );
  const bestBlock = best
    ? `<div class="best" data-best-trial="${escapeHtml(best.id)}"><strong>Trial #${best.number}</strong>: ${escapeHtml(objective)} = ${fmt(best.objectiveValue)}<br>` +
      Object.entries(best.parameters)
        .map(([k, v]) => `<code>${escapeHtml(k)} = ${escapeHtml(parameterText(v))}</code>`)
        .join(' ') +
      (best.scaling
        ? ` <code>lr = ${fmt(best.scaling.lr)}</code> <code>warm-up = ${warmupText(best.scaling)}</code>`
        : '') +
      '</div>'
    : '<p>No trial completed.</p>';

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(name)}: Athanor study report</title><style>${CSS}</style></head>
<body>
<h1>${escapeHtml(name)}</h1>
<p class="meta">Study <code>${escapeHtml(study?.id ?? '')}</code>, ${escapeHtml(study ? tuner.studyStateToJSON(study.state).replace('STUDY_STATE_', '').toLowerCase() : '')};
${counts ? `${counts.completed} completed, ${counts.pruned} pruned, ${counts.failed} failed, ${counts.infeasible} infeasible` : ''}; objective <code>${escapeHtml(objective)}</code>.
Generated ${escapeHtml(data.generatedAt)}. The same data: <a href="study.json">study.json</a>, <a href="trials.csv">trials.csv</a>, <a href="series.csv">series.csv</a>.</p>
<h2>Best configuration</h2>${bestBlock}
<h2>Curves</h2><div class="grid2">${plots.slice(0, 4).join('')}</div>
<h2>Batch size and learning rate</h2><div class="grid2">${plots.slice(4, 6).join('')}</div>${scalingTable}
<h2>Gradients</h2><div class="grid2">${plots.slice(6).join('')}</div>
<h2>Leaderboard</h2>${leaderboard}
<h2>Parameter importances${data.study.importanceMethod ? ` (${escapeHtml(data.study.importanceMethod)})` : ''}</h2>${importances}
<h2>All trials</h2>${allTrials}
</body></html>
`;
}
