// One trace per trial: at its first lease the tuner starts a root span `tuner.trial` (linked to the
// SuggestTrials call) and stores its context with the trial; every lease is a `tuner.trial.lease`
// span under it whose W3C traceparent goes to the worker in TrialAssignment.trace_parent, so a
// re-leased attempt lands in the same trace as the first.
//
// Tracing must start before @grpc/grpc-js loads, so this file imports nothing that loads gRPC at
// the top; the services and clients are required after startTestTracing.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

type TestingTracing = typeof import('@athanor/service-kit/testing-tracing');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const tt = require('@athanor/service-kit/testing-tracing') as TestingTracing;

type Grpc = typeof import('@grpc/grpc-js');
type Contracts = typeof import('@athanor/contracts');
type TunerPackage = typeof import('@athanor/tuner');
type Kit = typeof import('@athanor/service-kit');
type TunerTypes = typeof import('@athanor/contracts').tuner;
/** The message type of a generated message object, e.g. Message<'SuggestTrialsRequest'>. */
type Message<K extends keyof TunerTypes> = ReturnType<
  Extract<TunerTypes[K], { fromPartial: unknown }>['fromPartial']
>;
type Assignment = Message<'TrialAssignment'>;
type SpanRecord = import('@athanor/service-kit/testing-tracing').SpanRecord;

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-0[01]$/;

function parse(traceParent: string): { traceId: string; spanId: string } {
  const m = TRACEPARENT.exec(traceParent);
  if (!m) throw new Error(`not a W3C traceparent: "${traceParent}"`);
  return { traceId: m[1], spanId: m[2] };
}

describe('trial traces from the tuner', () => {
  const dir = mkdtempSync(join(tmpdir(), 'athanor-tracing-tuner-'));
  let tracing: ReturnType<TestingTracing['startTestTracing']>;
  let contracts: Contracts;
  let service: Awaited<ReturnType<TunerPackage['startTuner']>>;
  let client: InstanceType<Contracts['tuner']['TunerServiceClient']>;
  let clock = 1_700_000_000_000;

  beforeAll(async () => {
    tracing = tt.startTestTracing('tuner-test');
    /* eslint-disable @typescript-eslint/no-require-imports */
    const grpc = require('@grpc/grpc-js') as Grpc;
    contracts = require('@athanor/contracts') as Contracts;
    const tunerPackage = require('@athanor/tuner') as TunerPackage;
    const kit = require('@athanor/service-kit') as Kit;
    /* eslint-enable @typescript-eslint/no-require-imports */
    service = await tunerPackage.startTuner(
      kit.compileConfig(tunerPackage.configSchema, {
        ATHANOR_GRPC_PORT: '0',
        ATHANOR_HTTP_PORT: '0',
        ATHANOR_LOG_LEVEL: 'silent',
        ATHANOR_DATA_DIR: dir,
        ATHANOR_REAP_INTERVAL_SECONDS: '0.05',
      }),
      { now: () => clock },
    );
    client = new contracts.tuner.TunerServiceClient(service.address, grpc.credentials.createInsecure());
  });

  afterAll(async () => {
    client?.close();
    await service?.stop(); // also stops tracing
    rmSync(dir, { recursive: true, force: true });
  });

  const call = <Req, Res>(
    fn: (req: Req, cb: (err: Error | null, res: Res) => void) => unknown,
    req: Req,
  ): Promise<Res> =>
    new Promise((resolve, reject) => fn(req, (err, res) => (err ? reject(err) : resolve(res))));

  const suggest = async (studyId: string, workerId: string): Promise<Assignment> => {
    const { tuner } = contracts;
    for (;;) {
      const res = await call<Message<'SuggestTrialsRequest'>, Message<'SuggestTrialsResponse'>>(
        client.suggestTrials.bind(client),
        tuner.SuggestTrialsRequest.fromPartial({ studyId, workerId, count: 1 }),
      );
      if (res.assignments.length) return res.assignments[0];
      await new Promise((r) => setTimeout(r, 50)); // the reaper has not re-queued it yet
    }
  };

  it("puts every lease of a trial, a re-lease after a lapsed one too, in the trial's own trace", async () => {
    const { tuner } = contracts;
    const { study } = await call<Message<'CreateStudyRequest'>, Message<'CreateStudyResponse'>>(
      client.createStudy.bind(client),
      {
        requestId: '',
        spec: tuner.StudySpec.fromJSON({
          name: 'traced',
          objective: { metric: 'val_loss' },
          baseConfig: { optimizer: { sgd: {}, lr: 0.1 }, batchSize: 32, epochs: 1 },
          searchSpace: { parameters: [{ name: 'optimizer.lr', doubleRange: { low: 0.01, high: 0.1 } }] },
          algorithm: { random: {}, seed: 2 },
          budget: { maxTrials: 1 },
          lease: { leaseDuration: { seconds: 5 }, maxAttempts: 3 },
        }),
      },
    );
    tracing.reset();
    const first = await suggest(study!.id, 'worker-1');
    const firstLease = parse(first.traceParent);
    const trialId = first.trial!.id;
    const ofTrial = (s: SpanRecord) => s.attributes['athanor.trial_id'] === trialId;

    let spans = await tracing.waitForSpans((all) =>
      all.some((s) => s.kind === 'server' && s.name.endsWith('TunerService/SuggestTrials')),
    );
    const trialSpans = spans.filter((s) => s.name === 'tuner.trial' && ofTrial(s));
    expect(trialSpans).toHaveLength(1);
    const [trial] = trialSpans;
    expect(trial.parentSpanId).toBeUndefined(); // a root: the trial's own trace
    expect(trial.traceId).toBe(firstLease.traceId);
    expect(trial.attributes).toMatchObject({
      'athanor.study_id': study!.id,
      'athanor.trial_number': 0,
    });
    const lease1 = spans.find((s) => s.spanId === firstLease.spanId)!;
    expect(lease1).toMatchObject({ name: 'tuner.trial.lease', traceId: trial.traceId });
    tt.expectChildOf(lease1, trial);

    // The trial span links to the SuggestTrials call that first leased it.
    const server = spans.find((s) => s.kind === 'server' && s.name.endsWith('TunerService/SuggestTrials'))!;
    expect(server.traceId).not.toBe(trial.traceId);
    const exported = tracing.exporter
      .getFinishedSpans()
      .find((s) => s.spanContext().spanId === trial.spanId)!;
    expect(exported.links.map((l) => l.context.spanId)).toEqual([server.spanId]);

    // The first worker goes silent; the lease lapses, the reaper re-queues, another worker leases it.
    clock += 6_000;
    const second = await suggest(study!.id, 'worker-2');
    expect(second.trial!.id).toBe(trialId);
    expect(second.trial!.attempts).toBe(2);
    const secondLease = parse(second.traceParent);
    expect(secondLease.traceId).toBe(trial.traceId);
    expect(secondLease.spanId).not.toBe(firstLease.spanId);
    spans = await tracing.waitForSpans((all) => all.some((s) => s.spanId === secondLease.spanId));
    const lease2 = spans.find((s) => s.spanId === secondLease.spanId)!;
    expect(lease2.name).toBe('tuner.trial.lease');
    expect(lease2.attributes).toMatchObject({ 'athanor.worker_id': 'worker-2', 'athanor.trial_attempt': 2 });
    tt.expectChildOf(lease2, trial);
    // Still one trial span: a re-lease does not start a new trace.
    expect(spans.filter((s) => s.name === 'tuner.trial' && ofTrial(s))).toHaveLength(1);
  });
});
