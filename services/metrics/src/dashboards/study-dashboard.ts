import { TRAINING_METRICS as M } from '../export/metric-names';
import {
  type Dashboard,
  dashboard,
  datasourceVariable,
  labelVariable,
  Layout,
  query,
  stat,
  timeseries,
} from './model';

/** Studies: trials by state, objective over time, best so far, and the trials' validation loss. */
export function studyDashboard(): Dashboard {
  const s = 'study=~"$study"';
  const layout = new Layout(2, 8);
  const panels = [
    layout.place(
      timeseries('Trials by state', 'Trials of the selected studies by state.', [
        query(`sum by (state) (${M.studyTrials}{${s}})`, '{{state}}'),
      ]),
    ),
    layout.place(
      stat('Best objective so far', 'Best objective value among completed trials.', [
        query(`${M.studyBestObjective}{${s}}`, '{{study}}'),
      ]),
    ),
    layout.place(
      timeseries('Objective over time', 'Objective of each trial as it completes, and the best so far.', [
        query(`${M.studyLastObjective}{${s}}`, '{{study}} latest trial', 'A'),
        query(`${M.studyBestObjective}{${s}}`, '{{study}} best so far', 'B'),
      ]),
    ),
    layout.place(
      timeseries('Validation loss by trial', 'Validation loss of the trials that are training.', [
        query(`${M.loss}{${s}, split="validation"}`, '{{trial}}'),
      ]),
    ),
  ];
  return dashboard({
    uid: 'athanor-study',
    title: 'Athanor / Studies',
    description: 'Hyperparameter studies of the Athanor tuner, from the metrics service (athanor_study_*).',
    panels,
    variables: [datasourceVariable(), labelVariable('study', 'Study', M.studyTrials)],
  });
}
