import { modelbuilder } from '@athanor/contracts';
import {
  activeBackend,
  ArtifactNotFoundError,
  CorruptArtifactError,
  createModel,
  inspectInitialization,
  layerNamesOf,
  planModel,
  requirePlan,
  summarize,
  summarizePlan,
  toArtifact,
  validateInitSpec,
} from '@athanor/models';
import {
  AthanorError,
  FailedPreconditionError,
  InvalidArgumentError,
  ResourceExhaustedError,
} from '@athanor/service-kit';
import { status } from '@grpc/grpc-js';
import { budgetExcess } from './budget';
import type { ModelBuilderConfig } from './config';
import { Deadline, SerialQueue } from './deadline';
import { datasetSample } from './dataset-sample';

const MAX_CANDIDATES = 16;

type Call = { getDeadline?: () => Date | number };

/** The pure logic of the RPCs, separate from gRPC wiring so tests can call it directly. */
export class ModelBuilderHandlers {
  private readonly queue = new SerialQueue();

  constructor(private readonly config: ModelBuilderConfig) {}

  // async so that a thrown InvalidArgumentError becomes a rejection, never a synchronous throw into grpc-js.
  // eslint-disable-next-line @typescript-eslint/require-await
  async validateModel(req: modelbuilder.ValidateModelRequest): Promise<modelbuilder.ValidateModelResponse> {
    if (!req.spec) throw new InvalidArgumentError({ field: 'spec', description: 'is required' });
    const batchSize = this.batchSize(req.batchSize, 32);
    const { plan, issues } = planModel(req.spec);
    const all = [...issues, ...validateInitSpec(req.init, 'init', plan ? layerNamesOf(plan) : undefined)];
    const sorted = [
      ...all.filter((i) => i.severity === 'error'),
      ...all.filter((i) => i.severity !== 'error'),
    ];
    const valid = plan !== undefined && !sorted.some((i) => i.severity === 'error');
    const summary = plan && valid ? summarizePlan(plan, { batchSize }) : undefined;
    return {
      valid,
      issues: sorted.map((i) => ({
        field: i.field,
        description: i.description,
        severity:
          i.severity === 'error'
            ? modelbuilder.IssueSeverity.ISSUE_SEVERITY_ERROR
            : modelbuilder.IssueSeverity.ISSUE_SEVERITY_WARNING,
      })),
      summary,
      exceedsBudget: summary !== undefined && budgetExcess(summary, this.config) !== undefined,
    };
  }

  async buildModel(
    req: modelbuilder.BuildModelRequest,
    call?: Call,
  ): Promise<modelbuilder.BuildModelResponse> {
    const deadline = new Deadline(this.config.requestTimeoutSeconds, call?.getDeadline?.());
    if (!req.spec) throw new InvalidArgumentError({ field: 'spec', description: 'is required' });
    const batchSize = this.batchSize(req.batchSize, 32);
    const plan = requirePlan(req.spec);
    this.refuseBeyondBudget(summarizePlan(plan, { batchSize }));
    return this.queue.run(async () => {
      deadline.check('while queued');
      const created = await createModel(req.spec!, req.init, {
        plan,
        artifacts: { root: this.config.artifactRoot, maxBytes: this.config.maxMessageMb * 2 ** 20 },
      }).catch(mapArtifactError);
      try {
        deadline.check('after building');
        const artifact = req.summaryOnly
          ? undefined
          : await toArtifact(created.model, {
              spec: modelbuilder.ModelSpec.toJSON(req.spec!),
              init: req.init ? modelbuilder.InitSpec.toJSON(req.init) : null,
              seed: created.seed,
            });
        return {
          artifact,
          summary: summarize(created.model, { batchSize }),
          pretrainedReport: created.pretrained,
          seed: created.seed,
          backend: activeBackend(),
        };
      } finally {
        created.model.dispose();
      }
    });
  }

  async inspectInitialization(
    req: modelbuilder.InspectInitializationRequest,
    call?: Call,
  ): Promise<modelbuilder.InspectInitializationResponse> {
    const deadline = new Deadline(this.config.requestTimeoutSeconds, call?.getDeadline?.());
    if (!req.spec) throw new InvalidArgumentError({ field: 'spec', description: 'is required' });
    const violations = [];
    if (req.candidates.length === 0)
      violations.push({ field: 'candidates', description: 'at least one InitCandidate is required' });
    if (req.candidates.length > MAX_CANDIDATES)
      violations.push({ field: 'candidates', description: `at most ${MAX_CANDIDATES} candidates per call` });
    if (
      req.sample?.$case === 'random' &&
      req.sample.value.std !== undefined &&
      !(req.sample.value.std >= 0)
    ) {
      violations.push({ field: 'random.std', description: `must be >= 0, got ${req.sample.value.std}` });
    }
    if (!Number.isSafeInteger(req.seed) || req.seed < 0)
      violations.push({
        field: 'seed',
        description: `must be a non-negative integer below 2^53, got ${req.seed}`,
      });
    if (violations.length > 0) throw new InvalidArgumentError(violations);
    const batchSize = this.batchSize(req.batchSize, 256, this.config.maxInspectBatch);
    const plan = requirePlan(req.spec);
    this.refuseBeyondBudget(summarizePlan(plan, { batchSize }));
    const random =
      req.sample?.$case === 'random'
        ? { mean: req.sample.value.mean, std: req.sample.value.std ?? 1 }
        : undefined;
    const sample =
      req.sample?.$case === 'dataset' ? await datasetSample(req.sample.value, plan, batchSize) : undefined;
    return this.queue.run(() => {
      deadline.check('while queued');
      const reports = inspectInitialization(
        plan,
        req.candidates.map((c) => ({ label: c.label, init: c.init })),
        {
          batchSize,
          seed: req.seed,
          ...(random ? { random } : {}),
          ...(sample ? { sample } : {}),
          checkpoint: () => deadline.check('between candidates'),
        },
      );
      return Promise.resolve({ reports, backend: activeBackend() });
    });
  }

  private batchSize(value: number, fallback: number, max = 1 << 20): number {
    if (value === 0) return fallback;
    if (!Number.isInteger(value) || value < 0 || value > max) {
      throw new InvalidArgumentError({
        field: 'batchSize',
        description: `must be an integer in [1, ${max}] (0 for ${fallback}), got ${value}`,
      });
    }
    return value;
  }

  private refuseBeyondBudget(summary: modelbuilder.ModelSummary): void {
    const excess = budgetExcess(summary, this.config);
    if (excess) throw new ResourceExhaustedError(`refused before allocating: ${excess}`);
  }
}

function mapArtifactError(err: unknown): never {
  if (err instanceof ArtifactNotFoundError)
    throw new AthanorError(status.NOT_FOUND, `pretrained artifact not found: ${err.message}`);
  if (err instanceof CorruptArtifactError)
    throw new FailedPreconditionError(`pretrained artifact unreadable: ${err.message}`);
  throw err;
}
