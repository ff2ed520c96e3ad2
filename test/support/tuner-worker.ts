import * as grpc from '@grpc/grpc-js';
import { tuner } from '@athanor/contracts';
import { unary } from './clients';

/** A client of the tuner's worker API, as a trainer in worker mode uses it (issue 6 builds the real one). */
export class TestWorker {
  readonly client: tuner.TunerServiceClient;
  /** Every trial id this worker was handed, in order (re-leases included). */
  readonly handed: string[] = [];

  constructor(
    address: string,
    readonly id: string,
  ) {
    this.client = new tuner.TunerServiceClient(address, grpc.credentials.createInsecure());
  }

  async suggest(studyId: string, count = 1): Promise<tuner.SuggestTrialsResponse> {
    const res = await unary(this.client.suggestTrials.bind(this.client), {
      ...tuner.SuggestTrialsRequest.fromPartial({ studyId, workerId: this.id, count }),
    });
    this.handed.push(...res.assignments.map((a) => a.trial!.id));
    return res;
  }

  heartbeat(a: tuner.TrialAssignment, step = 0, checkpointUri = ''): Promise<tuner.HeartbeatTrialResponse> {
    return unary(
      this.client.heartbeatTrial.bind(this.client),
      tuner.HeartbeatTrialRequest.fromPartial({
        trialId: a.trial!.id,
        leaseId: a.leaseId,
        workerId: this.id,
        step,
        checkpoint: checkpointUri ? { uri: checkpointUri, step, trialId: a.trial!.id } : undefined,
      }),
    );
  }

  report(a: tuner.TrialAssignment, step: number, value: number): Promise<tuner.ReportIntermediateResponse> {
    return unary(
      this.client.reportIntermediate.bind(this.client),
      tuner.ReportIntermediateRequest.fromPartial({ trialId: a.trial!.id, leaseId: a.leaseId, step, value }),
    );
  }

  complete(
    a: tuner.TrialAssignment,
    outcome: tuner.CompleteTrialRequest['outcome'],
  ): Promise<tuner.CompleteTrialResponse> {
    return unary(
      this.client.completeTrial.bind(this.client),
      tuner.CompleteTrialRequest.fromPartial({ trialId: a.trial!.id, leaseId: a.leaseId, outcome }),
    );
  }

  close(): void {
    this.client.close();
  }
}

/** The events of a study until `until` says stop (WatchStudy with replay); no sleeping. */
export function watchUntil(
  client: tuner.TunerServiceClient,
  studyId: string,
  until: (e: tuner.StudyEvent, all: tuner.StudyEvent[]) => boolean,
): Promise<tuner.StudyEvent[]> {
  return new Promise((resolve, reject) => {
    const seen: tuner.StudyEvent[] = [];
    const call = client.watchStudy(tuner.WatchStudyRequest.fromPartial({ studyId, replay: true }));
    call.on('data', (r: tuner.WatchStudyResponse) => {
      seen.push(r.event!);
      if (until(r.event!, seen)) {
        call.cancel();
        resolve(seen);
      }
    });
    call.on('error', (err: grpc.ServiceError) =>
      err.code === grpc.status.CANCELLED ? undefined : reject(err),
    );
    call.on('end', () => resolve(seen));
  });
}
