// The JSON form of DESIGN.md's SchedulerSpec (proto3 JSON: exactly one key naming the kind).
// Optional fields take PyTorch 1.13's defaults, listed on each field.

export interface StepLrSpec {
  /** Period of decay in steps; required. */
  stepSize: number;
  /** Default 0.1. */
  gamma?: number;
}
export interface MultiStepLrSpec {
  /** Steps at which to multiply by gamma; a repeated milestone multiplies once per repeat. Required. */
  milestones: number[];
  /** Default 0.1. */
  gamma?: number;
}
export interface ExponentialLrSpec {
  /** Required. */
  gamma: number;
}
export interface CosineAnnealingLrSpec {
  /** Half period in steps; required. */
  tMax: number;
  /** Default 0. */
  etaMin?: number;
}
export interface CosineAnnealingWarmRestartsSpec {
  /** Length of the first cycle (a positive integer); required. */
  t0: number;
  /** Growth of the cycle length after each restart (an integer >= 1). Default 1. */
  tMult?: number;
  /** Default 0. */
  etaMin?: number;
}
export interface ReduceOnPlateauSpec {
  /** Default 'min'. */
  mode?: 'min' | 'max';
  /** new_lr = lr * factor; must be < 1. Default 0.1. */
  factor?: number;
  /** Bad steps tolerated before a reduction. Default 10. */
  patience?: number;
  /** Default 1e-4. */
  threshold?: number;
  /** Default 'rel'. */
  thresholdMode?: 'rel' | 'abs';
  /** Steps to wait after a reduction. Default 0. */
  cooldown?: number;
  /** Lower bound, one for all groups or one per group. Default 0. */
  minLr?: number | number[];
  /** Reductions smaller than this are skipped. Default 1e-8. */
  eps?: number;
}
export interface LambdaLrSpec {
  /** Multiplicative factor as arithmetic over `epoch` (e.g. `0.95 ** epoch`); required. */
  expression: string;
}
export interface LinearLrSpec {
  /** Default 1/3. */
  startFactor?: number;
  /** Default 1.0. */
  endFactor?: number;
  /** Default 5. */
  totalIters?: number;
}
export interface ConstantLrSpec {
  /** Default 1/3. */
  factor?: number;
  /** Default 5. */
  totalIters?: number;
}
export interface PolynomialLrSpec {
  /** Default 5. */
  totalIters?: number;
  /** Default 1.0. */
  power?: number;
}
export interface OneCycleLrSpec {
  /** Peak LR, one for all groups or one per group; required. The groups' own LRs are replaced by maxLr / divFactor. */
  maxLr: number | number[];
  /** Required unless both epochs and stepsPerEpoch are given (then their product). */
  totalSteps?: number;
  epochs?: number;
  stepsPerEpoch?: number;
  /** Default 0.3. */
  pctStart?: number;
  /** Default 'cos'. */
  annealStrategy?: 'cos' | 'linear';
  /** Cycle momentum inversely to the LR. Default true. */
  cycleMomentum?: boolean;
  /** Default 0.85. */
  baseMomentum?: number | number[];
  /** Default 0.95. */
  maxMomentum?: number | number[];
  /** Default 25. */
  divFactor?: number;
  /** Default 1e4. */
  finalDivFactor?: number;
  /** Default false. */
  threePhase?: boolean;
}
export interface SequentialLrSpec {
  schedulers: SchedulerSpec[];
  /** Step at which each next scheduler takes over; one fewer than schedulers. */
  milestones: number[];
}
export interface ChainedSchedulerSpec {
  schedulers: SchedulerSpec[];
}

export type SchedulerSpec =
  | { step: StepLrSpec }
  | { multiStep: MultiStepLrSpec }
  | { exponential: ExponentialLrSpec }
  | { cosineAnnealing: CosineAnnealingLrSpec }
  | { cosineAnnealingWarmRestarts: CosineAnnealingWarmRestartsSpec }
  | { reduceOnPlateau: ReduceOnPlateauSpec }
  | { lambda: LambdaLrSpec }
  | { linear: LinearLrSpec }
  | { constant: ConstantLrSpec }
  | { polynomial: PolynomialLrSpec }
  | { oneCycle: OneCycleLrSpec }
  | { sequential: SequentialLrSpec }
  | { chained: ChainedSchedulerSpec };

/** The spec after validation: tagged by `kind`, every default filled in. */
export type SchedulerConfig =
  | ({ kind: 'step' } & Required<StepLrSpec>)
  | ({ kind: 'multiStep' } & Required<MultiStepLrSpec>)
  | ({ kind: 'exponential' } & Required<ExponentialLrSpec>)
  | ({ kind: 'cosineAnnealing' } & Required<CosineAnnealingLrSpec>)
  | ({ kind: 'cosineAnnealingWarmRestarts' } & Required<CosineAnnealingWarmRestartsSpec>)
  | ({ kind: 'reduceOnPlateau' } & Required<ReduceOnPlateauSpec>)
  | ({ kind: 'lambda' } & Required<LambdaLrSpec>)
  | ({ kind: 'linear' } & Required<LinearLrSpec>)
  | ({ kind: 'constant' } & Required<ConstantLrSpec>)
  | ({ kind: 'polynomial' } & Required<PolynomialLrSpec>)
  | ({ kind: 'oneCycle' } & Required<Omit<OneCycleLrSpec, 'epochs' | 'stepsPerEpoch'>>)
  | { kind: 'sequential'; schedulers: SchedulerConfig[]; milestones: number[] }
  | { kind: 'chained'; schedulers: SchedulerConfig[] };

export type SchedulerKind = SchedulerConfig['kind'];

export const SCHEDULER_KINDS: readonly SchedulerKind[] = [
  'step',
  'multiStep',
  'exponential',
  'cosineAnnealing',
  'cosineAnnealingWarmRestarts',
  'reduceOnPlateau',
  'lambda',
  'linear',
  'constant',
  'polynomial',
  'oneCycle',
  'sequential',
  'chained',
];
