import { type metrics, tuner } from '@athanor/contracts';
import type { CommittedEvents } from '@athanor/store';
import { TRIAL_STATE } from '../study/convert';

const DIRECTION = {
  MINIMIZE: tuner.ObjectiveDirection.OBJECTIVE_DIRECTION_MINIMIZE,
  MAXIMIZE: tuner.ObjectiveDirection.OBJECTIVE_DIRECTION_MAXIMIZE,
} as const;

/**
 * The trial transitions of one commit as the metrics service takes them. Read from the store's
 * events, so every transition is reported however it happened: a lease, a completion, the lease
 * reaper, a retry, or a study that stops.
 */
export function trialUpdatesOf(committed: CommittedEvents): metrics.TrialUpdate[] {
  const updates: metrics.TrialUpdate[] = [];
  for (const e of committed.events) {
    if (e.event.kind !== 'trial') continue;
    const t = e.event.trial;
    updates.push({
      studyId: t.studyId,
      trialId: t.id,
      state: TRIAL_STATE[t.state],
      objectiveValue: t.state === 'COMPLETED' ? (t.objectiveValue ?? undefined) : undefined,
      direction: DIRECTION[committed.direction],
      time: new Date(e.time),
    });
  }
  return updates;
}
