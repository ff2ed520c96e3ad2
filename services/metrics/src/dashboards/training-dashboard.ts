import { TRAINING_METRICS as M } from '../export/metric-names';
import {
  type Dashboard,
  dashboard,
  datasourceVariable,
  labelVariable,
  Layout,
  query,
  seriesHeatmap,
  stat,
  timeseries,
} from './model';

/** The selector every per-run query carries: the three template variables. */
export const RUN_SELECTOR = 'study=~"$study", trial=~"$trial", run=~"$run"';

/** Training: loss and validation curves, LR schedule, per-layer gradient norms, throughput. */
export function trainingDashboard(): Dashboard {
  const s = RUN_SELECTOR;
  const layout = new Layout(2, 8);
  const panels = [
    layout.place(
      timeseries(
        'Loss',
        'Training batch loss and validation loss of the selected runs (log scale).',
        [query(`${M.loss}{${s}}`, '{{run}} {{split}}')],
        'none',
        true,
      ),
    ),
    layout.place(
      timeseries(
        'Validation accuracy',
        'Top-1 and top-5 accuracy on the validation split.',
        [query(`${M.accuracy}{${s}, split="validation"}`, '{{run}} top-{{k}}')],
        'percentunit',
      ),
    ),
    layout.place(
      timeseries(
        'Learning rate',
        'LR in force per parameter group: warm-up and schedule (log scale).',
        [query(`${M.learningRate}{${s}}`, '{{run}} {{parameter_group}}')],
        'none',
        true,
      ),
    ),
    layout.place(
      timeseries(
        'Global gradient norm',
        'L2 norm of the whole gradient before clipping; spikes precede divergence.',
        [query(`${M.gradientNorm}{${s}}`, '{{run}}')],
        'none',
        true,
      ),
    ),
    layout.place(
      seriesHeatmap(
        'Gradient norm per layer group',
        'One row per layer group (model order, top = input side); vanishing gradients show as dark early rows, exploding ones as bright cells.',
        [query(`max by (layer_group) (${M.layerGradientNorm}{${s}})`, '{{layer_group}}')],
      ),
      2,
    ),
    layout.place(
      timeseries(
        'Throughput',
        'Samples per second as the trainer measured them.',
        [query(`${M.throughput}{${s}}`, '{{run}}')],
        'none',
      ),
    ),
    layout.place(
      timeseries(
        'Step duration',
        'Median and 95th percentile of the optimizer step duration.',
        [
          query(
            `histogram_quantile(0.5, sum by (le, run) (rate(${M.stepDuration}_bucket{${s}}[$__rate_interval])))`,
            '{{run}} p50',
            'A',
          ),
          query(
            `histogram_quantile(0.95, sum by (le, run) (rate(${M.stepDuration}_bucket{${s}}[$__rate_interval])))`,
            '{{run}} p95',
            'B',
          ),
        ],
        's',
      ),
    ),
    layout.place(stat('Step', 'Highest optimizer step reported.', [query(`${M.step}{${s}}`, '{{run}}')])),
    layout.place(stat('Epoch', 'Current epoch.', [query(`${M.epoch}{${s}}`, '{{run}}')])),
    layout.place(
      timeseries(
        'Ingest',
        'Points stored and rejected by the metrics service (rejections by reason).',
        [
          query(`sum(rate(${M.pointsAccepted}[$__rate_interval]))`, 'accepted', 'A'),
          query(`sum by (reason) (rate(${M.pointsRejected}[$__rate_interval]))`, 'rejected: {{reason}}', 'B'),
        ],
        'ops',
      ),
      2,
    ),
  ];
  return dashboard({
    uid: 'athanor-training',
    title: 'Athanor / Training',
    description: 'Runs of the Athanor trainer, from the metrics service (athanor_training_*).',
    panels,
    variables: [
      datasourceVariable(),
      labelVariable('study', 'Study', M.step),
      labelVariable('trial', 'Trial', M.step, '{study=~"$study"}'),
      labelVariable('run', 'Run', M.step, '{study=~"$study", trial=~"$trial"}'),
    ],
  });
}
