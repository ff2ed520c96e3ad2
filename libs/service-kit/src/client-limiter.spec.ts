import { describe, expect, it } from 'vitest';
import { ClientLimiter } from './client-limiter';

describe('ClientLimiter', () => {
  it('gives each client at most `limit` slots and frees them on release', () => {
    const limiter = new ClientLimiter(2);
    expect(limiter.acquire('a')).toBe(true);
    expect(limiter.acquire('a')).toBe(true);
    expect(limiter.acquire('a')).toBe(false);
    expect(limiter.acquire('b')).toBe(true); // another client is not starved by a
    limiter.release('a');
    expect(limiter.acquire('a')).toBe(true);
    expect(limiter.inFlightOf('a')).toBe(2);
  });

  it('treats 0 as no limit and never counts below zero', () => {
    const limiter = new ClientLimiter(0);
    for (let i = 0; i < 1000; i++) expect(limiter.acquire('a')).toBe(true);
    const other = new ClientLimiter(1);
    other.release('ghost');
    expect(other.inFlightOf('ghost')).toBe(0);
    expect(other.acquire('ghost')).toBe(true);
    expect(other.acquire('ghost')).toBe(false);
  });
});
