import fs from 'node:fs';
import { stackTargets } from '@app/testing';
import { Controller, Module, Post } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { Public } from '../apps/api/src/auth/guard';
import { startAuthApp } from './support/auth-app';

const PARAMETER_SECRET = 'hunter2-parameter-secret';
const KEY_SECRET = 'unique-key-secret-value';
/** Built by the query itself: in no parameter, only in the row PostgreSQL quotes. */
const ROW_SECRET = 'row-secret-computed-in-sql';

/** Stand-in handlers whose queries fail with a secret in their parameters or in the row. */
@Public()
@Controller('api/log-probe')
class FailingQueriesController {
  constructor(private readonly dataSource: DataSource) {}

  /** PostgreSQL quotes the bad value in its message: `invalid input syntax for type integer: "…"`. */
  @Post('syntax')
  async syntax(): Promise<never> {
    await this.dataSource.query('SELECT $1::int AS n', [PARAMETER_SECRET]);
    throw new Error('unreachable');
  }

  /** A unique violation: `detail` is `Key (name)=(…) already exists.` */
  @Post('unique')
  async unique(): Promise<never> {
    await this.dataSource.query('INSERT INTO log_probe (name, secret) VALUES ($1, $2)', [KEY_SECRET, 'x']);
    throw new Error('unreachable');
  }

  /** A CHECK violation: `detail` is `Failing row contains (…)`, a value computed in SQL included. */
  @Post('check')
  async check(): Promise<never> {
    await this.dataSource.query(
      "INSERT INTO log_probe (name, secret) VALUES ($1, 'row-secret-' || 'computed-in-sql')",
      ['short'],
    );
    throw new Error('unreachable');
  }
}

@Module({ controllers: [FailingQueriesController] })
class FailingQueriesModule {}

describe.each(stackTargets())('Error logs of failed queries on the %s stack', (target) => {
  let app: NestExpressApplication;
  let close: () => Promise<void>;
  let written: string[];
  let writeSync: jest.SpyInstance;

  beforeAll(async () => {
    ({ app, close } = await startAuthApp(target, { LOG_LEVEL: 'error' }, [FailingQueriesModule]));
    await app
      .get(DataSource)
      .query('CREATE TABLE log_probe (name text UNIQUE, secret text CHECK (length(secret) < 5))');
    await app.get(DataSource).query("INSERT INTO log_probe (name, secret) VALUES ($1, 'x')", [KEY_SECRET]);
  });
  afterAll(async () => close?.());

  beforeEach(() => {
    written = [];
    // pino writes its lines synchronously to fd 1 (sonic-boom calls fs.writeSync): capture what it writes.
    const original = fs.writeSync.bind(fs) as (...args: unknown[]) => number;
    writeSync = jest.spyOn(fs, 'writeSync').mockImplementation((fd: number, data: unknown, ...rest: unknown[]) => {
      if (fd === 1) {
        written.push(String(data));
        return Buffer.byteLength(String(data));
      }
      return original(fd, data, ...rest);
    });
  });
  afterEach(() => writeSync.mockRestore());

  /** The one error line of the 500, parsed. */
  async function errorLineOf(path: string): Promise<{ text: string; err: Record<string, unknown> }> {
    const response = await request(app.getHttpServer()).post(path).expect(500);
    const text = written.join('');
    const line = text
      .split('\n')
      .filter((candidate) => candidate.includes(String(response.body.errorId)))
      .map((candidate) => JSON.parse(candidate) as { err: Record<string, unknown> })[0];
    expect(line).toBeDefined();
    return { text, err: line.err };
  }

  it("logs a failed query's parameters as types and lengths, and its message without their values", async () => {
    const { text, err } = await errorLineOf('/api/log-probe/syntax');
    expect(text).not.toContain(PARAMETER_SECRET);
    expect(err.type).toBe('QueryFailedError');
    expect(err.parameters).toEqual([`string(${PARAMETER_SECRET.length})`]);
    expect(err.message).toBe('invalid input syntax for type integer: "[redacted]"');
    expect(err.query).toBe('SELECT $1::int AS n');
    expect(err.driverError).toBeUndefined();
    expect(err.code).toBe('22P02');
  });

  it('redacts the key values PostgreSQL quotes in the detail of a unique violation', async () => {
    const { text, err } = await errorLineOf('/api/log-probe/unique');
    expect(text).not.toContain(KEY_SECRET);
    expect(err.detail).toBe('Key (name)=([redacted]) already exists.');
    expect(err.constraint).toBe('log_probe_name_key');
  });

  it('redacts a failing row, values computed in SQL included', async () => {
    const { text, err } = await errorLineOf('/api/log-probe/check');
    expect(text).not.toContain(ROW_SECRET);
    expect(err.detail).toBe('Failing row contains ([redacted]).');
    expect(err.parameters).toEqual(['string(5)']);
  });
});
