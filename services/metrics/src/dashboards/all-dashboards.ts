import type { Dashboard } from './model';
import { studyDashboard } from './study-dashboard';
import { trainingDashboard } from './training-dashboard';

/** The dashboards deploy/grafana holds, by file stem. */
export function dashboards(): Record<string, Dashboard> {
  return { 'athanor-training': trainingDashboard(), 'athanor-study': studyDashboard() };
}
