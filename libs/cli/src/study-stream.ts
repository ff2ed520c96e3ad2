import { status as Status } from '@grpc/grpc-js';
import { tuner } from '@athanor/contracts';

/** How long a broken WatchStudy stream is retried (a restarting tuner), in ms. */
const RECONNECT_FOR_MS = 120_000;

/**
 * Streams a study's events from the beginning until the study ends (the tuner closes the stream
 * then). A stream broken by an unavailable tuner (restart, crash) is reopened after the last
 * event seen, so no event is lost or repeated; other errors reject.
 */
export async function followStudy(
  client: tuner.TunerServiceClient,
  studyId: string,
  onEvent: (e: tuner.StudyEvent) => void,
): Promise<void> {
  let after = 0;
  let brokenSince: number | undefined;
  for (;;) {
    const outcome = await new Promise<'ended' | Error>((resolve) => {
      const stream = client.watchStudy(
        tuner.WatchStudyRequest.fromPartial({ studyId, replay: true, afterSequence: after }),
      );
      stream.on('data', (r: tuner.WatchStudyResponse) => {
        brokenSince = undefined;
        after = r.event!.sequence;
        onEvent(r.event!);
      });
      stream.on('error', (err: Error) => resolve(err));
      stream.on('end', () => resolve('ended'));
    });
    if (outcome === 'ended') return;
    const code = (outcome as Error & { code?: number }).code;
    if (code !== Status.UNAVAILABLE) throw outcome;
    brokenSince ??= Date.now();
    if (Date.now() - brokenSince > RECONNECT_FOR_MS)
      throw new Error(`the tuner has been unavailable for ${RECONNECT_FOR_MS / 1000} s: ${outcome.message}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}
