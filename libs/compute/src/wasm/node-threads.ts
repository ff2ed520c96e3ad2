import { createRequire } from 'node:module';
import type * as OsModule from 'node:os';
import type * as WorkerThreadsModule from 'node:worker_threads';
import { pthreadWorkerSource } from './pthread-worker-source';

// The live module objects (not `import * as` copies): the Emscripten glue reads them at start-up.
const nodeRequire = createRequire(__filename);
const workerThreads = nodeRequire('node:worker_threads') as typeof WorkerThreadsModule;
const os = nodeRequire('node:os') as typeof OsModule;

/**
 * Runs `init` (the wasm backend's initialisation) so that the threaded-SIMD build starts under Node:
 *
 * - Workers asked for by `blob:` URL are started from source instead (see pthread-worker-source.ts)
 *   and unref'd: the pool must not keep a finished process alive; the main thread waits for
 *   its workers synchronously, so nothing is lost (Emscripten refs a worker again while a pthread
 *   runs on it: see releasePoolThreads).
 * - tfjs sizes XNNPACK's pool as min(requested, logical cores / 2), assuming hyper-threads; on a
 *   2-core VM that is 1. The glue counts cores with `os.cpus()`, so for the duration of start-up
 *   it sees `2 * threads` of them.
 *
 * Both patches are undone when `init` settles; the glue keeps its own reference to the Worker class.
 */
export async function withNodeThreads<T>(threads: number, init: () => Promise<T>): Promise<T> {
  const RealWorker = workerThreads.Worker;
  const realCpus = os.cpus;
  const source = pthreadWorkerSource();
  class PthreadWorker extends RealWorker {
    constructor(script: string | URL, options?: WorkerThreadsModule.WorkerOptions) {
      const fromBlob = String(script).startsWith('blob:');
      super(fromBlob ? source : script, fromBlob ? { ...options, eval: true } : options);
      if (fromBlob) this.unref();
    }
  }
  workerThreads.Worker = PthreadWorker;
  os.cpus = () => {
    const cpus = realCpus();
    const first = cpus[0];
    return first === undefined ? cpus : Array.from({ length: 2 * threads }, () => first);
  };
  try {
    return await init();
  } finally {
    workerThreads.Worker = RealWorker;
    os.cpus = realCpus;
  }
}

interface PthreadRegistry {
  PThread?: { runningWorkers?: { unref?: () => void }[] };
}

/**
 * Emscripten refs a worker while a pthread runs on it, so that Node waits for the thread. XNNPACK's
 * pool threads run for the life of the backend, waiting for work that the main thread hands them
 * synchronously: without this a script that used the wasm backend would never exit.
 */
export function releasePoolThreads(module: unknown): void {
  for (const worker of (module as PthreadRegistry).PThread?.runningWorkers ?? []) worker.unref?.();
}
