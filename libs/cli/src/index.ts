// The library surface of @athanor/cli (the `athanor` command itself is dist/main.js): the study report.
export * from './report';
