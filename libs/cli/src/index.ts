// The library surface of @athanor/cli (the `athanor` command itself is dist/main.js): the study report
// and following a study through tuner restarts.
export * from './report';
export { followStudy } from './study-stream';
