import { availableParallelism } from 'node:os';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { metrics, trainer, training, tuner } from '@athanor/contracts';
import { formatLrFind } from '../commands/lr-find';
import { unaryCall } from '../commands/train';
import { connection } from '../connection';
import { collectStudyReport } from '../report/collect-report';
import { writeStudyReport } from '../report/write-report';
import type { StudyReportData } from '../report/study-report-data';
import {
  type LaunchedService,
  type LaunchOptions,
  spawnServices,
  spawnTrainerWorker,
  stopServices,
  waitReady,
} from '../service-launcher';
import { followStudy } from '../study-stream';
import { quickstartBaseConfig, quickstartStudy, REFERENCE_BATCH } from './quickstart-study';
import { clock, paramsText, StudyProgress } from './study-progress';

export interface QuickstartOptions {
  readonly host: string;
  readonly logDir: string;
  /** Reports go to `<output>/<study name>/`. */
  readonly output: string;
  /** Leave once the report is written instead of serving until Ctrl-C. */
  readonly exit: boolean;
  /** A study to run instead of the embedded one (no LR range test then). */
  readonly study?: tuner.StudySpec;
  /** Trainer worker processes; default one per core. */
  readonly workers: number;
  /** Where progress goes; a terminal gets a live table, anything else plain lines. */
  readonly out: NodeJS.WriteStream;
}

/** What the quick start produced: the study, its report page and whether it ended well. */
export interface QuickstartResult {
  readonly studyId: string;
  readonly reportPath: string;
  readonly state: tuner.StudyState;
  /** Stops every process it started (the caller decides when: at once with --exit, or on Ctrl-C). */
  stop(): Promise<void>;
}

/**
 * The main job: the four services on loopback with embedded defaults, an LR range test to anchor
 * the learning rate, then a study run by trainer workers (one per core) against the tuner, with
 * progress as it goes and a self-contained report at the end. Everything goes over gRPC, as any
 * client's calls would.
 */
export async function runQuickstart(o: QuickstartOptions): Promise<QuickstartResult> {
  const started = Date.now();
  const say = (text: string) => o.out.write(`${text}\n`);
  const launch: LaunchOptions = {
    host: o.host,
    logDir: o.logDir,
    // The main trainer serves clients (the LR range test, `athanor train`); the study's trials go to
    // workers bound to it, so runs of other studies never compete with it for the cores.
    envFor: { trainer: { ATHANOR_TUNER_ADDR: '' } },
  };
  const processes: LaunchedService[] = spawnServices(launch);
  let studyId: string | undefined;
  let stopping = false;
  const addressOf = (label: string) => processes.find((p) => p.label === label)!.grpc;
  const { credentials, options } = connection();
  const tunerClient = new tuner.TunerServiceClient(addressOf('tuner'), credentials, options);
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    if (studyId !== undefined && !finished) {
      // Interrupted: the study says so, instead of staying RUNNING in the database.
      await unaryCall<tuner.StopStudyRequest, tuner.StopStudyResponse>(
        (r, cb) => tunerClient.stopStudy(r, cb),
        tuner.StopStudyRequest.fromPartial({
          studyId,
          reason: 'quick start interrupted',
          stopRunningTrials: true,
        }),
      ).catch(() => undefined);
    }
    tunerClient.close();
    await stopServices(processes);
  };
  let finished = false;
  const onSignal = () => {
    say('\nstopping...');
    void stop().then(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const watchExits = (list: readonly LaunchedService[]) => {
    for (const p of list)
      p.child.once('exit', (code, signal) => {
        if (!stopping) say(`${p.label} stopped unexpectedly (${signal ?? `code ${code}`}); see ${p.log}`);
      });
  };

  try {
    await waitReady(processes, 120_000);
    watchExits(processes);
    say('Athanor is serving:');
    for (const p of processes)
      say(`  ${p.label.padEnd(16)} grpc ${p.grpc.padEnd(18)} metrics ${p.metricsUrl}`);

    let spec: tuner.StudySpec;
    let lrRangeTest: StudyReportData['lrRangeTest'];
    const workers = Math.max(1, o.workers);
    if (o.study !== undefined) {
      spec = o.study;
    } else {
      say(
        `\nLR range test: the reference CNN on Fashion-MNIST at batch ${REFERENCE_BATCH} (first run converts the dataset once)`,
      );
      const trainerClient = new trainer.TrainerServiceClient(addressOf('trainer'), credentials, options);
      const lr = await unaryCall<trainer.FindLearningRateRequest, trainer.FindLearningRateResponse>(
        (r, cb) => trainerClient.findLearningRate(r, cb),
        trainer.FindLearningRateRequest.fromPartial({
          config: quickstartBaseConfig(),
          minLr: 1e-4,
          maxLr: 3,
          numIterations: 80,
        }),
      ).finally(() => trainerClient.close());
      say(formatLrFind(lr));
      const s = lr.suggestions;
      // The valley rule errs low, which the linear rule then multiplies: a safe anchor for every batch size.
      const baseLr = s?.valley ?? s?.recommended ?? 0.05;
      lrRangeTest = {
        points: lr.points.map((p) => ({ lr: p.lr, smoothedLoss: p.smoothedLoss })),
        suggested: baseLr,
      };
      spec = quickstartStudy(`quickstart-${stamp(new Date())}`, baseLr, workers);
    }
    const created = await unaryCall<tuner.CreateStudyRequest, tuner.CreateStudyResponse>(
      (r, cb) => tunerClient.createStudy(r, cb),
      tuner.CreateStudyRequest.fromPartial({ spec, requestId: '' }),
    );
    const study = created.study!;
    studyId = study.id;
    say(`\nstudy ${study.id} (${spec.name}): ${spec.budget?.maxTrials ?? '?'} trials, ${workers} at a time`);

    // One worker per core, each on one wasm thread: two processes use two cores better than one
    // process whose runs take turns on its single JavaScript thread.
    const threads = String(Math.max(1, Math.floor(availableParallelism() / workers)));
    const workerProcesses = Array.from({ length: workers }, (_, i) =>
      spawnTrainerWorker(launch, i + 1, study.id, {
        ATHANOR_MAX_CONCURRENT_RUNS: '1',
        ATHANOR_WASM_THREADS: threads,
      }),
    );
    processes.push(...workerProcesses);
    await waitReady(workerProcesses, 120_000);
    watchExits(workerProcesses);

    const progress = new StudyProgress(
      spec.budget?.maxTrials ?? 0,
      spec.objective?.direction ?? tuner.ObjectiveDirection.OBJECTIVE_DIRECTION_MINIMIZE,
      Date.now(),
    );
    const live = o.out.isTTY === true;
    let drawn = 0;
    const redraw = () => {
      const text = progress.table(Date.now());
      // Up over the previous frame, then clear to the end of the screen.
      o.out.write(`${drawn > 0 ? `\x1b[${drawn}F` : ''}\x1b[0J${text}\n`);
      drawn = text.split('\n').length;
    };
    const ticker = setInterval(
      () => (live ? redraw() : say(progress.summary(Date.now()))),
      live ? 1000 : 30_000,
    );
    try {
      await followStudy(tunerClient, study.id, (e) => {
        const line = progress.apply(e);
        if (live) redraw();
        else if (line !== undefined) say(`${clock((Date.now() - started) / 1000).padStart(6)}  ${line}`);
      });
    } finally {
      clearInterval(ticker);
    }
    finished = true;
    if (!live) say(progress.summary(Date.now()));

    const metricsClient = new metrics.MetricsServiceClient(addressOf('metrics'), credentials, options);
    const data = await collectStudyReport({
      tuner: tunerClient,
      metrics: metricsClient,
      studyId: study.id,
      trials: [...progress.trials.values()],
      lrRangeTest,
    }).finally(() => metricsClient.close());
    const reportPath = writeStudyReport(data, o.output);
    const best = data.study.bestTrial;
    say(
      `\nstudy ${tuner.studyStateToJSON(data.study.study!.state).replace('STUDY_STATE_', '').toLowerCase()} in ${clock((Date.now() - started) / 1000)}`,
    );
    say(`report: ${reportPath}`);
    if (best) {
      say(
        `best: trial #${best.number} ${spec.objective?.metric || 'objective'} ${best.objectiveValue?.toFixed(4)}  ${paramsText(best)}`,
      );
      const config = await bestConfig(best, workerProcesses, credentials, options);
      if (config) {
        const file = join(dirname(reportPath), 'best-config.json');
        writeFileSync(file, JSON.stringify(config, null, 2) + '\n');
        say(`best configuration: ${file} (train it with: npx athanor train --config ${file})`);
      }
    }
    return { studyId: study.id, reportPath, state: data.study.study!.state, stop };
  } catch (error) {
    await stop();
    throw error;
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}

/** The exact TrainConfig the best trial trained, from the worker that ran it (its run record). */
async function bestConfig(
  best: tuner.Trial,
  workers: readonly LaunchedService[],
  credentials: grpc.ChannelCredentials,
  options: grpc.ChannelOptions,
): Promise<unknown> {
  for (const w of workers) {
    const client = new trainer.TrainerServiceClient(w.grpc, credentials, options);
    try {
      const res = await unaryCall<trainer.GetRunRequest, trainer.GetRunResponse>(
        (r, cb) => client.getRun(r, cb),
        trainer.GetRunRequest.fromPartial({ runId: best.runId }),
      );
      if (res.run?.config) return training.TrainConfig.toJSON(res.run.config);
    } catch {
      // Not this worker's run, or the worker is gone: try the next.
    } finally {
      client.close();
    }
  }
  return undefined;
}

/** 2026-11-26T10:41:07Z -> 20261126-104107 (a study name that sorts by time). */
function stamp(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
}
