import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { afterAll, describe, expect, it } from 'vitest';
import { carriesToken, clientOptions, loadAuthToken } from './auth';
import { ConfigError } from './config';

const token = 'a'.repeat(8) + '0123456789abcdef';
const dir = mkdtempSync(join(tmpdir(), 'athanor-auth-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function withAuthorization(value: string): grpc.Metadata {
  const m = new grpc.Metadata();
  m.set('authorization', value);
  return m;
}

describe('carriesToken', () => {
  it('accepts exactly "Bearer <token>"', () => {
    expect(carriesToken(withAuthorization(`Bearer ${token}`), token)).toBe(true);
    expect(carriesToken(withAuthorization(`bearer ${token}`), token)).toBe(true);
  });

  it('refuses a missing, wrong, truncated or differently schemed token', () => {
    expect(carriesToken(new grpc.Metadata(), token)).toBe(false);
    expect(carriesToken(withAuthorization(`Bearer ${token}x`), token)).toBe(false);
    expect(carriesToken(withAuthorization(`Bearer ${token.slice(1)}`), token)).toBe(false);
    expect(carriesToken(withAuthorization(`Basic ${token}`), token)).toBe(false);
    expect(carriesToken(withAuthorization(token), token)).toBe(false);
    expect(carriesToken(withAuthorization('Bearer '), token)).toBe(false);
  });
});

describe('loadAuthToken', () => {
  it('is off when nothing is set', () => {
    expect(loadAuthToken({})).toBeUndefined();
    expect(loadAuthToken({ authToken: '  ' })).toBeUndefined();
  });

  it('reads a token file and drops its trailing newline', () => {
    const file = join(dir, 'token');
    writeFileSync(file, `${token}\n`);
    expect(loadAuthToken({ authTokenFile: file })).toBe(token);
  });

  it('names the variable when the file is missing, both are set, or the token is short', () => {
    expect(() => loadAuthToken({ authTokenFile: join(dir, 'nope') })).toThrow(
      /ATHANOR_AUTH_TOKEN_FILE: cannot read/,
    );
    expect(() => loadAuthToken({ authToken: token, authTokenFile: join(dir, 'token') })).toThrow(ConfigError);
    expect(() => loadAuthToken({ authToken: 'short' })).toThrow(
      /ATHANOR_AUTH_TOKEN: the token must be at least 16/,
    );
  });
});

describe('clientOptions', () => {
  it('adds an interceptor only when a token is configured', () => {
    expect(clientOptions({}).interceptors).toBeUndefined();
    expect(clientOptions({})['grpc.max_reconnect_backoff_ms']).toBe(5000);
    expect(clientOptions({ authToken: token }).interceptors).toHaveLength(1);
  });
});
