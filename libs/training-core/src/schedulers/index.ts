// LR schedulers with PyTorch 1.13's exact semantics, driven from DESIGN.md's SchedulerSpec JSON.
// See ../../SCHEDULERS.md for each kind, its JSON and where its behaviour is subtle.
export { createScheduler } from './create-scheduler';
export { parseSchedulerSpec } from './parse-scheduler-spec';
export { previewSchedule } from './preview-schedule';
export type { Scheduler, SchedulerState } from './scheduler';
export { SCHEDULER_KINDS } from './scheduler-spec';
export type {
  ChainedSchedulerSpec,
  ConstantLrSpec,
  CosineAnnealingLrSpec,
  CosineAnnealingWarmRestartsSpec,
  ExponentialLrSpec,
  LambdaLrSpec,
  LinearLrSpec,
  MultiStepLrSpec,
  OneCycleLrSpec,
  PolynomialLrSpec,
  ReduceOnPlateauSpec,
  SchedulerConfig,
  SchedulerKind,
  SchedulerSpec,
  SequentialLrSpec,
  StepLrSpec,
} from './scheduler-spec';
// The LambdaLR expression language, for callers that validate an expression on its own.
export { compileExpression, ExpressionError } from '../expression';
export type { CompiledExpression } from '../expression';
