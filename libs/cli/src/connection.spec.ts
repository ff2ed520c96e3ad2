import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { connection } from './connection';

describe('connection', () => {
  it('is plaintext without a token on loopback defaults', () => {
    const c = connection({});
    expect(c.credentials._isSecure()).toBe(false);
    expect(c.options.interceptors ?? []).toHaveLength(0);
  });

  it('adds the bearer token to every call when one is set', () => {
    const c = connection({ ATHANOR_AUTH_TOKEN: 'a-token-of-at-least-16-chars' });
    expect(c.options.interceptors).toHaveLength(1);
  });

  it('uses TLS when a CA is given, and names a file it cannot read', () => {
    const dir = mkdtempSync(join(tmpdir(), 'athanor-cli-tls-'));
    const ca = join(dir, 'ca.pem');
    writeFileSync(ca, '');
    expect(connection({ ATHANOR_TLS_CA: ca }).credentials._isSecure()).toBe(true);
    expect(() => connection({ ATHANOR_TLS_CA: join(dir, 'missing.pem') })).toThrow(
      /ATHANOR_TLS_CA: cannot read/,
    );
    expect(() => connection({ ATHANOR_TLS_CERT: ca })).toThrow(/ATHANOR_TLS_CERT and ATHANOR_TLS_KEY/);
  });
});
