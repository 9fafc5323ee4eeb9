import { loadConfig } from '@app/config';
import { FakeVintedServer, createDatabaseTestApp } from '@app/testing';
import {
  DEFAULT_REFRESH_CONCURRENCY,
  SessionCipher,
  TokenRefreshScheduler,
  VintedModule,
  applySetCookies,
  extractTokens,
  parseCookieString,
  serializeCookies,
} from '@app/vinted';
import { DataSource } from 'typeorm';
import { scratchDatabase } from './api-process';
import type { Metric } from './summary';

const SECRET = 'bench-vinted-secret-0123456789-0123456789-0123';
const INSERT_BATCH = 500;

/**
 * Issue 5: SESSIONS sessions (BENCH_VINTED_SESSIONS, 10,000) all due at once, one scheduler tick
 * against the fake Vinted over loopback HTTP with the configured concurrency and no jitter.
 * Baseline: the same fake driven by bare fetch loops at the same concurrency (no database, no
 * encryption): the ratio is the share of the fake's own throughput the scheduler keeps.
 */
export async function vintedMetrics(
  log: (line: string) => void,
  sessions = Number(process.env.BENCH_VINTED_SESSIONS ?? 10_000),
): Promise<Metric[]> {
  const fake = await FakeVintedServer.start();
  const database = await scratchDatabase();
  const env = {
    ...database.env,
    VINTED_CREDENTIALS_SECRET: SECRET,
    VINTED_BASE_URL: fake.baseUrl,
    LOG_LEVEL: 'silent',
  };
  const app = await createDatabaseTestApp({ env, imports: [VintedModule], logger: false });
  try {
    const baseline = await bareFetchRate(fake, DEFAULT_REFRESH_CONCURRENCY, 2_000);
    log(`vinted: bare fake ${baseline.toFixed(0)} refresh/s; seeding ${sessions} due sessions`);
    await seed(app.get(DataSource), fake, sessions, loadConfig(env).config.VINTED_CREDENTIALS_SECRET ?? SECRET);
    fake.refreshCalls = 0;
    fake.maxInFlight = 0;
    const report = await app.get(TokenRefreshScheduler).runTick({ intervalMinutes: 30, jitterMaxMs: 0 });
    const rate = report.refreshed / (report.durationMs / 1000);
    const held = report.maxInFlight <= DEFAULT_REFRESH_CONCURRENCY && fake.maxInFlight <= DEFAULT_REFRESH_CONCURRENCY;
    log(
      `vinted: ${report.refreshed}/${report.checked} refreshed, ${report.failed} failed in ${report.durationMs} ms; in flight at most ${report.maxInFlight} (fake saw ${fake.maxInFlight}); ${fake.refreshCalls} calls`,
    );
    return [
      {
        metric: `Vinted tick: ${sessions} due sessions, concurrency ${DEFAULT_REFRESH_CONCURRENCY}`,
        unit: 'sessions/s',
        hourglass: rate,
        baseline: { name: 'bare fetch loops on the fake', value: baseline },
        note: `${report.refreshed} refreshed, ${report.failed} failed, ${fake.refreshCalls} calls; concurrency limit ${held ? 'held' : 'EXCEEDED'} (max ${Math.max(report.maxInFlight, fake.maxInFlight)})`,
      },
    ];
  } finally {
    await app.close();
    await database.cleanup();
    await fake.close();
  }
}

/** Users and sealed sessions inserted in batches (the API path would hash 10,000 passwords first). */
async function seed(dataSource: DataSource, fake: FakeVintedServer, count: number, secret: string): Promise<void> {
  const cipher = new SessionCipher(secret);
  for (let start = 0; start < count; start += INSERT_BATCH) {
    const size = Math.min(INSERT_BATCH, count - start);
    const ids = await dataSource.query<{ id: number }[]>(
      `INSERT INTO users (username, password_hash) SELECT 'bench-vinted-' || g, 'x' FROM generate_series($1::int, $2::int) g RETURNING id`,
      [start, start + size - 1],
    );
    const rows = await Promise.all(
      ids.map(async ({ id }) => {
        const jar = parseCookieString(await fake.issueSession(`bench-${id}`, { accessSeconds: 60 }));
        const tokens = extractTokens(jar);
        const { sealed, keyId } = cipher.seal(serializeCookies(jar), `vinted-session:user:${id}`);
        return [id, sealed, keyId, tokens.accessExpiresAt.toISOString(), tokens.refreshExpiresAt.toISOString()];
      }),
    );
    const columns = [0, 1, 2, 3, 4].map((column) => rows.map((row) => row[column]));
    await dataSource.query(
      `INSERT INTO vinted_sessions (user_id, cookies_encrypted, key_id, expires_at, refresh_expires_at)
       SELECT * FROM unnest($1::int[], $2::text[], $3::text[], $4::timestamptz[], $5::timestamptz[])`,
      columns,
    );
  }
}

/** Refreshes per second the fake answers to `lanes` bare fetch loops, each rotating its own session. */
async function bareFetchRate(fake: FakeVintedServer, lanes: number, durationMs: number): Promise<number> {
  const url = `${fake.baseUrl}/web/api/auth/refresh`;
  let done = 0;
  const deadline = performance.now() + durationMs;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: lanes }, async (_, lane) => {
      let jar = parseCookieString(await fake.issueSession(`bare-${lane}`));
      while (performance.now() < deadline) {
        const response = await fetch(url, { method: 'POST', headers: { cookie: serializeCookies(jar) }, body: '' });
        await response.text();
        jar = applySetCookies(jar, response.headers.getSetCookie(), Date.now());
        done += 1;
      }
    }),
  );
  return done / ((performance.now() - started) / 1000);
}
