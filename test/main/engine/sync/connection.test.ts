// Describing the team database without its password, and one clear error per failure cause.
import { describe, expect, it } from 'vitest';
import { describeTarget, scrub, toSyncError } from '../../../../src/main/engine/sync/index.ts';
import { ShowcaseError } from '../../../../src/shared/index.ts';

describe('describeTarget', () => {
  it('redacts the password of a URL and keeps the rest', () => {
    const t = describeTarget('postgres://studio:p%40ss%2Fw0rd@db.example.com:6543/team?sslmode=require', {});
    expect(t.display).toBe('postgres://studio:***@db.example.com:6543/team?sslmode=require');
    expect(t).toMatchObject({ host: 'db.example.com', port: '6543', database: 'team', user: 'studio' });
    expect(t.secrets).toContain('p@ss/w0rd');
    expect(t.secrets).toContain('p%40ss%2Fw0rd');
  });

  it('redacts a password given as a query parameter', () => {
    const t = describeTarget('postgresql://studio@db/team?password=qp-secret', {});
    expect(t.display).not.toContain('qp-secret');
    expect(t.display).toContain('password=***');
    expect(t.secrets).toContain('qp-secret');
  });

  it('falls back to PG* variables, with PGPASSWORD shown as ***', () => {
    const t = describeTarget(undefined, {
      PGHOST: 'pg.lan',
      PGPORT: '5433',
      PGUSER: 'ops',
      PGDATABASE: 'studio',
      PGPASSWORD: 'envpw-123',
    });
    expect(t.display).toBe('postgres://ops:***@pg.lan:5433/studio');
    expect(t.secrets).toEqual(['envpw-123']);
  });

  it('rejects a URL that is not postgres:// without repeating it', () => {
    for (const bad of ['mysql://u:leaky-pw@h/db', 'not a url leaky-pw']) {
      try {
        describeTarget(bad, {});
        expect.unreachable();
      } catch (err) {
        expect(err).toBeInstanceOf(ShowcaseError);
        expect((err as ShowcaseError).code).toBe('invalid_input');
        expect((err as ShowcaseError).message).not.toContain('leaky-pw');
      }
    }
  });
});

describe('toSyncError', () => {
  const target = describeTarget('postgres://u:topsecret-9@h:5432/d', {});

  it('scrubs the password from any driver message', () => {
    expect(scrub('auth for topsecret-9 failed', target)).toBe('auth for *** failed');
    const err = toSyncError(new Error('weird failure mentioning topsecret-9'), target, 'push');
    expect(err.code).toBe('sync_error');
    expect(err.message).not.toContain('topsecret-9');
    expect(err.message).toContain('postgres://u:***@h:5432/d');
  });

  it('maps each cause to its own code', () => {
    const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });
    expect(toSyncError(withCode('ECONNREFUSED'), target, 'sync').code).toBe('backend_unreachable');
    expect(toSyncError(withCode('ENOTFOUND'), target, 'sync').message).toMatch(/host "h" not found/);
    expect(toSyncError(withCode('28P01'), target, 'sync').code).toBe('auth_failed');
    expect(toSyncError(withCode('28000', 'role "u" does not exist'), target, 'sync').code).toBe(
      'auth_failed',
    );
    expect(toSyncError(withCode('3D000'), target, 'sync').message).toBe(
      'The team database "d" does not exist on h:5432',
    );
    expect(toSyncError(withCode('57P01'), target, 'push')).toMatchObject({
      code: 'backend_unreachable',
      retryable: true,
    });
    expect(toSyncError(new Error('Connection terminated unexpectedly'), target, 'pull').code).toBe(
      'backend_unreachable',
    );
    expect(toSyncError(withCode('40001'), target, 'push')).toMatchObject({
      code: 'sync_error',
      retryable: true,
    });
    const aggregate = Object.assign(new AggregateError([withCode('ECONNREFUSED')], 'connect failed'), {});
    expect(toSyncError(aggregate, target, 'sync').code).toBe('backend_unreachable');
  });
});
