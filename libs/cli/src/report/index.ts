export type { ReportTrial, StudyReportData } from './study-report-data';
export { renderStudyReport } from './render-report';
export { seriesCsv, trialsCsv } from './report-tables';
export { reportDirName, studyJson, writeStudyReport } from './write-report';
export { syntheticStudy } from './testing/synthetic-study';
