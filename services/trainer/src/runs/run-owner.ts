import { hostname } from 'node:os';

/** The trainer process that keeps a run record: it alone writes the record while it lives. */
export interface RunOwner {
  readonly host: string;
  readonly pid: number;
}

export function currentOwner(): RunOwner {
  return { host: hostname(), pid: process.pid };
}

/**
 * Whether this process may load a record `owner` wrote: one from this host whose process is gone,
 * or is this one (a container restarted in place gets its old pid back; a test's second manager).
 * Trainers share a checkpoint volume (deploy/k8s/overlays/gpu): a record from another host, or from
 * a live trainer on this one, is that trainer's, and taking its runs over would train them twice.
 * A pod replaced under a new name therefore leaves its standalone runs' records to nobody; its
 * trials the tuner re-leases. A reused pid reads as alive: the record is left alone, never run twice.
 */
export function mayLoad(owner: RunOwner, self: RunOwner = currentOwner()): boolean {
  if (owner.host !== self.host) return false;
  if (owner.pid === self.pid) return true;
  try {
    process.kill(owner.pid, 0);
    return false;
  } catch (error) {
    // EPERM: alive, under another user.
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
