import { tuner } from '@athanor/contracts';
import { describe, expect, it } from 'vitest';
import { formatEvent, formatStudy, parseStudyFile, StudyFileError } from './study';

describe('athanor study', () => {
  it('reads a StudySpec from YAML or JSON (proto3 JSON names)', () => {
    const yaml = `
name: lr-sweep
objective: { metric: val_loss }
searchSpace:
  parameters:
    - name: optimizer.lr
      doubleRange: { low: 0.0001, high: 1, log: true }
scaling: { rule: SCALING_RULE_LINEAR, referenceBatchSize: 64, baseLr: 0.1 }
baseConfig: { batchSize: 64, epochs: 3 }
`;
    const spec = parseStudyFile(yaml);
    expect(spec.name).toBe('lr-sweep');
    expect(spec.searchSpace!.parameters[0].domain).toEqual({
      $case: 'doubleRange',
      value: { low: 0.0001, high: 1, log: true, step: undefined },
    });
    expect(spec.scaling!.rule).toBe(tuner.ScalingRule.SCALING_RULE_LINEAR);
    expect(parseStudyFile(JSON.stringify({ name: 'j' })).name).toBe('j');
    expect(() => parseStudyFile('- a list')).toThrow(StudyFileError);
    expect(() => parseStudyFile('{ nope')).toThrow(/JSON or YAML/);
  });

  it('shows the best trial, the leaderboard and importances', () => {
    const trial = tuner.Trial.fromPartial({
      number: 3,
      objectiveValue: 0.125,
      parameters: { 'optimizer.lr': { value: { $case: 'doubleValue', value: 0.01 } } },
    });
    const text = formatStudy(
      tuner.GetStudyResponse.fromPartial({
        study: {
          id: 's1',
          spec: { name: 'demo' },
          state: tuner.StudyState.STUDY_STATE_RUNNING,
          trialCounts: { completed: 4, running: 1 },
        },
        bestTrial: trial,
        leaderboard: [trial],
        importances: [{ parameter: 'optimizer.lr', importance: 1 }],
        importanceMethod: 'eta-squared',
        scalingReport: [{ batchSize: 64, scaledLr: 0.1, trials: 2, completed: 2, bestValue: 0.2 }],
      }),
    );
    expect(text).toMatch(/study s1 \(demo\): running/);
    expect(text).toMatch(/4 completed/);
    expect(text).toMatch(/best: trial #3 0\.125 {2}optimizer\.lr=0\.01/);
    expect(text).toMatch(/importance \(eta-squared\)/);
    expect(text).toMatch(/^64 +0\.1 /m);
  });

  it('prints one plain line per event', () => {
    const line = formatEvent(
      tuner.StudyEvent.fromPartial({
        sequence: 7,
        time: new Date('2025-01-01T00:00:00Z'),
        event: {
          $case: 'intermediateReported',
          value: { trialNumber: 2, value: { step: 5, value: 0.5 }, pruned: true },
        },
      }),
    );
    expect(line).toBe('2025-01-01T00:00:00.000Z #7 trial #2 step 5 = 0.5 (pruned)');
  });
});
