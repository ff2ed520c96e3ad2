/**
 * Counts the calls in flight per client so that one client cannot take every slot of a service.
 * Pure bookkeeping (no gRPC), so the rule is testable on its own.
 */
export class ClientLimiter {
  private readonly inFlight = new Map<string, number>();

  /** `limit` 0 means no limit. */
  constructor(readonly limit: number) {}

  /** Takes a slot for `client`; false when it already has `limit` calls in flight. */
  acquire(client: string): boolean {
    const n = this.inFlight.get(client) ?? 0;
    if (this.limit > 0 && n >= this.limit) return false;
    this.inFlight.set(client, n + 1);
    return true;
  }

  release(client: string): void {
    const n = this.inFlight.get(client) ?? 0;
    // Deleting at zero keeps the map as small as the set of clients with calls in flight.
    if (n <= 1) this.inFlight.delete(client);
    else this.inFlight.set(client, n - 1);
  }

  inFlightOf(client: string): number {
    return this.inFlight.get(client) ?? 0;
  }
}
