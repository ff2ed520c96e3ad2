import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { metrics, tuner } from '@athanor/contracts';
import { renderStudyReport } from './render-report';
import { seriesCsv, trialsCsv } from './report-tables';
import type { StudyReportData } from './study-report-data';

/** The report's data as proto3 JSON (what any other tool can read back). */
export function studyJson(data: StudyReportData): unknown {
  return {
    generatedAt: data.generatedAt,
    study: tuner.GetStudyResponse.toJSON(data.study),
    trials: data.trials.map((t) => ({
      trial: tuner.Trial.toJSON(t.trial),
      series: t.series.map((s) => metrics.Series.toJSON(s)),
      ...(t.lrSchedule ? { lrSchedule: t.lrSchedule } : {}),
    })),
    ...(data.lrRangeTest ? { lrRangeTest: data.lrRangeTest } : {}),
  };
}

/** A directory name from a study name: safe on every file system. */
export function reportDirName(data: StudyReportData): string {
  const s = data.study.study;
  const raw = s?.spec?.name || s?.id || 'study';
  return (
    raw
      .replace(/[^A-Za-z0-9._-]+/g, '-')
      .replace(/^[-.]+|-+$/g, '')
      .slice(0, 80) || 'study'
  );
}

/** Writes index.html, study.json, trials.csv and series.csv into `<root>/<study>/`; returns the page's path. */
export function writeStudyReport(data: StudyReportData, root = 'athanor-output'): string {
  const dir = join(root, reportDirName(data));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'index.html'), renderStudyReport(data));
  writeFileSync(join(dir, 'study.json'), JSON.stringify(studyJson(data), null, 2) + '\n');
  writeFileSync(join(dir, 'trials.csv'), trialsCsv(data.trials));
  writeFileSync(join(dir, 'series.csv'), seriesCsv(data.trials));
  return join(dir, 'index.html');
}
