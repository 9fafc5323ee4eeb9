import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { WORKER_EVENTS_QUEUE } from '@app/messaging';
import { AppProcess, TestStack, createTestStack, stackTargets } from '@app/testing';
import { connect } from 'amqplib';
import { Client } from 'pg';
import { EventStream, call } from './support/fresh-connection';

// Issue 12: API_WORKERS=2 on PostgreSQL + RabbitMQ, from the built apps (`npm run build`). The
// processes are told apart by the `pid` of their log lines (the access log names each request),
// never by anything in the responses.

const LIMIT = 5;
const PASSWORD = 'correct-horse-battery';
const QR_RETRIES = 3;
/** One validation that nobody scans, as the seed tells it. */
const QR_LIFECYCLE = [
  'qr_generated',
  ...Array.from({ length: QR_RETRIES }, () => ['qr_regenerating', 'qr_generated']).flat(),
  'error',
];

const withServers = stackTargets().includes('servers');

(withServers ? describe : describe.skip)('the API in cluster mode (API_WORKERS=2)', () => {
  let stack: TestStack;
  let api: AppProcess;
  let worker: AppProcess;
  let port: number;
  let db: Client;
  let ips = 0;
  const nextIp = () => `198.51.100.${++ips}`;

  /** Log lines of the API (JSON), the primary's and the processes'. */
  const logs = () =>
    api.stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => ({ line, entry: JSON.parse(line) as { pid: number; msg?: string } }));
  /** The pids whose log lines mention `marker` (a request's unique query string). */
  const servedBy = (marker: string) =>
    new Set(logs().flatMap(({ line, entry }) => (line.includes(marker) ? [entry.pid] : [])));
  const processPids = () => new Set(logs().flatMap(({ entry }) => (entry.pid !== api.child.pid ? [entry.pid] : [])));

  async function signUp(username: string): Promise<string> {
    const headers = { 'x-forwarded-for': nextIp() };
    const registered = await call(port, 'POST', '/api/users/register/', {
      body: { username, email: `${username}@example.com`, password: PASSWORD },
      headers,
    });
    expect(registered.status).toBe(201);
    const obtained = await call(port, 'POST', '/api/token/', { body: { username, password: PASSWORD }, headers });
    expect(obtained.status).toBe(200);
    return (obtained.body as { access: string }).access;
  }

  async function metrics(): Promise<string> {
    const response = await call(port, 'GET', '/metrics');
    expect(response.status).toBe(200);
    return response.body as string;
  }

  /** The value of one series of the cluster's /metrics, 0 when absent. */
  function sample(text: string, name: string, labels: Record<string, string>): number {
    const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
    const line = text
      .split('\n')
      .find((each) => each.startsWith(`${name}{`) && wanted.every((label) => each.includes(label)));
    return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
  }

  async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await condition())) {
      if (Date.now() > deadline) {
        throw new Error(`timed out; API output:\n${api.stdout.slice(-3_000)}\n${api.stderr}`);
      }
      await sleep(25);
    }
  }

  beforeAll(async () => {
    stack = await createTestStack('servers');
    const env = {
      ...stack.env,
      JWT_SIGNING_KEY: 'cluster-e2e-signing-key-0123456789-0123456789',
      AUTH_THROTTLE_LIMIT: String(LIMIT),
      AUTH_THROTTLE_TTL: '1m',
      WHATSAPP_DRIVER: 'simulator',
      WHATSAPP_QR_TIMEOUT: '400ms',
      WHATSAPP_MAX_QR_RETRIES: String(QR_RETRIES),
      WHATSAPP_HEARTBEAT_INTERVAL: '500ms',
    };
    // debug: the access log line of every request, whatever its level.
    api = AppProcess.start('api', { ...env, API_WORKERS: '2', PORT: '0', LOG_LEVEL: 'debug' });
    port = Number((await api.waitFor(/listening on http:\/\/localhost:(\d+)/, 90_000))[1]);
    worker = AppProcess.start('worker', { ...env, WORKER_ID: 'worker-1', LOG_LEVEL: 'info' });
    await worker.waitFor(/Worker worker-1 is waiting for commands/);
    db = new Client({ connectionString: stack.env.DATABASE_URL });
    await db.connect();
  }, 120_000);

  afterAll(async () => {
    await db?.end();
    await worker?.stop();
    await api?.stop('SIGKILL');
    await stack?.cleanup();
  });

  it('starts two processes under one primary, migrates once and says ready once', () => {
    const messages = logs().map(({ entry }) => entry.msg ?? '');
    expect(messages).toContain('Starting 2 API processes (API_WORKERS=2)');
    expect(messages.filter((msg) => msg.startsWith('Hourglass API ready'))).toEqual([
      expect.stringMatching(/ on port \d+ \(PostgreSQL server, RabbitMQ, 2 API processes\)$/),
    ]);
    expect(api.stdout.match(/Hourglass is listening on/g)).toHaveLength(1);
    // Only the primary migrated; the processes skipped it.
    const migrators = logs().flatMap(({ entry }) =>
      /^Applied migration|^Database schema is up to date/.test(entry.msg ?? '') ? [entry.pid] : [],
    );
    expect(new Set(migrators)).toEqual(new Set([api.child.pid]));
    const pids = processPids();
    expect(pids.size).toBe(2);
    for (const pid of pids) {
      expect(readFileSync(`/proc/${pid}/stat`, 'utf8').split(' ')[3]).toBe(String(api.child.pid));
    }
  });

  it('serves requests from both processes, and /metrics counts them all whichever process answers', async () => {
    const before = sample(await metrics(), 'http_request_duration_seconds_count', {
      route: '/api/.well-known/jwks.json',
      status: '200',
    });
    for (let i = 0; i < 10; i++) {
      expect((await call(port, 'GET', `/api/.well-known/jwks.json?probe=spread-${i}`)).status).toBe(200);
    }
    expect(servedBy('probe=spread-')).toEqual(processPids());

    const text = await metrics();
    expect(
      sample(text, 'http_request_duration_seconds_count', { route: '/api/.well-known/jwks.json', status: '200' }),
    ).toBe(before + 10);
    for (const pid of processPids()) {
      expect(sample(text, 'process_cpu_seconds_total', { pid: String(pid) })).toBeGreaterThan(0);
    }
  });

  it('holds the credential throttle across both processes: exactly the limit of failures, then 429', async () => {
    await signUp('quinn');
    const login = (ip: string, probe: string, password = 'wrong-password') =>
      call(port, 'POST', `/api/token/?probe=${probe}`, {
        body: { username: 'quinn', password },
        headers: { 'x-forwarded-for': ip },
      });
    // Successful logins count nothing, whichever process serves them.
    const logins: number[] = [];
    for (let i = 0; i < 3 * LIMIT; i++) {
      logins.push((await login('203.0.113.50', `throttle-ok${i}-`, PASSWORD)).status);
    }
    expect(logins).toEqual(Array<number>(3 * LIMIT).fill(200));
    expect(servedBy('probe=throttle-ok')).toEqual(processPids());

    const sequential: number[] = [];
    for (let i = 0; i < 3 * LIMIT; i++) {
      sequential.push((await login('203.0.113.50', `throttle-a${i}-`)).status);
    }
    expect(sequential).toEqual([...Array<number>(LIMIT).fill(401), ...Array<number>(2 * LIMIT).fill(429)]);
    expect(servedBy('probe=throttle-a')).toEqual(processPids());
    // Refused for that IP even with the right password, not for the owner elsewhere.
    expect((await login('203.0.113.50', 'throttle-owner-', PASSWORD)).status).toBe(429);
    expect((await login('203.0.113.52', 'throttle-owner-', PASSWORD)).status).toBe(200);

    const burst = await Promise.all(
      Array.from({ length: 3 * LIMIT }, (_, i) => login('203.0.113.51', `throttle-b${i}-`)),
    );
    expect(burst.filter((response) => response.status === 401)).toHaveLength(LIMIT);
    expect(burst.filter((response) => response.status === 429)).toHaveLength(2 * LIMIT);
    expect(servedBy('probe=throttle-b')).toEqual(processPids());
  });

  it('refuses a revoked token on the very next request, whichever process it reaches', async () => {
    for (const name of ['rita', 'sam', 'tess']) {
      const access = await signUp(name);
      const points = (probe: string) =>
        call(port, 'GET', `/api/points/?probe=${probe}`, { headers: { authorization: `Bearer ${access}` } });
      // Both processes authenticate the user, so both hold it in their caches.
      for (let i = 0; i < 6; i++) {
        expect((await points(`${name}-warm`)).status).toBe(200);
      }
      expect(servedBy(`probe=${name}-warm`)).toEqual(processPids());

      const revoked = await call(port, 'POST', '/api/token/revoke-all/', {
        headers: { authorization: `Bearer ${access}` },
      });
      expect(revoked.status).toBe(200);
      for (let i = 0; i < 6; i++) {
        expect((await points(`${name}-revoked`)).status).toBe(401);
      }
      expect(servedBy(`probe=${name}-revoked`)).toEqual(processPids());
    }
  });

  it('streams every WhatsApp event to every SSE stream, whichever process consumed it', async () => {
    const access = await signUp('una');
    const authorization = `Bearer ${access}`;
    const number = await call(port, 'POST', '/api/whatsapp/numbers/', {
      body: { phoneNumber: '+221771234567' },
      headers: { authorization },
    });
    expect(number.status).toBe(201);
    const id = (number.body as { id: number }).id;
    // Streams on both processes: each event reaches one of them from the bus, the other by NOTIFY.
    const streams: EventStream[] = [];
    for (let i = 0; i < 4; i++) {
      streams.push(
        await EventStream.open(port, `/api/whatsapp/numbers/${id}/events/?stream=una-${i}-`, { authorization }),
      );
    }
    await waitFor(() => streams.every((stream) => stream.events.length === 1));
    // Both API processes compete for the events queue.
    const amqp = await connect(stack.vhost?.url ?? '');
    try {
      const channel = await amqp.createChannel();
      expect((await channel.checkQueue(WORKER_EVENTS_QUEUE)).consumerCount).toBe(2);
    } finally {
      await amqp.close();
    }

    expect(
      (await call(port, 'POST', `/api/whatsapp/numbers/${id}/validate/`, { headers: { authorization } })).status,
    ).toBe(202);
    await waitFor(() => streams.every((stream) => stream.events.some((event) => event.type === 'error')));
    await sleep(300); // nothing more, nothing twice
    const applied = await db.query<{ event: unknown }>(
      'SELECT event FROM whatsapp_number_events WHERE number_id = $1 ORDER BY id',
      [id],
    );
    for (const stream of streams) {
      expect(stream.events.map((event) => event.type)).toEqual(['status', ...QR_LIFECYCLE]);
      expect(stream.events.slice(1).map((event) => event.data)).toEqual(applied.rows.map((row) => row.event));
    }
    streams.forEach((stream) => stream.close());
    await waitFor(() => [0, 1, 2, 3].every((i) => servedBy(`stream=una-${i}-`).size === 1));
    expect(new Set([0, 1, 2, 3].flatMap((i) => [...servedBy(`stream=una-${i}-`)]))).toEqual(processPids());
  });

  it('runs a one-per-tick cron once per second on the cluster, the other process skipping', async () => {
    const labels = (outcome: string) => ({ job: 'exchange-token-expiry', outcome });
    const first = await metrics();
    const startedAt = Date.now();
    await sleep(4_000);
    const second = await metrics();
    const seconds = (Date.now() - startedAt) / 1000;
    const ran =
      sample(second, 'hourglass_scheduled_job_duration_seconds_count', labels('succeeded')) -
      sample(first, 'hourglass_scheduled_job_duration_seconds_count', labels('succeeded'));
    const skipped =
      sample(second, 'hourglass_scheduled_job_duration_seconds_count', labels('skipped')) -
      sample(first, 'hourglass_scheduled_job_duration_seconds_count', labels('skipped'));
    expect(ran).toBeGreaterThanOrEqual(Math.floor(seconds) - 1);
    expect(ran).toBeLessThanOrEqual(Math.ceil(seconds) + 1);
    expect(skipped).toBeGreaterThanOrEqual(Math.floor(seconds) - 1);
  });

  it('restarts a process that dies, after a logged backoff', async () => {
    const [victim, survivor] = [...processPids()];
    process.kill(victim, 'SIGKILL');
    await api.waitFor(new RegExp(`API process ${victim} died \\(signal SIGKILL\\); restarting it in 1000 ms`));
    await api.waitFor(/API process \d+ is back: 2 of 2 running/);
    const pids = processPids();
    pids.delete(victim);
    expect(pids.size).toBe(2);
    expect(pids.has(survivor)).toBe(true);
    const text = await metrics();
    for (const pid of pids) {
      expect(sample(text, 'process_cpu_seconds_total', { pid: String(pid) })).toBeGreaterThan(0);
    }
    expect(sample(text, 'process_cpu_seconds_total', { pid: String(victim) })).toBe(0);
  });

  it('stops every process gracefully on SIGTERM and exits 0', async () => {
    const pids = [...processPids()].filter((pid) => alive(pid));
    expect(pids).toHaveLength(2);
    expect(await api.stop('SIGTERM')).toBe(0);
    expect(pids.filter((pid) => alive(pid))).toEqual([]);
    expect(api.stdout).toMatch(/"msg":"SIGTERM: stopping the 2 API processes"/);
    expect(api.stdout).toMatch(/"msg":"Every API process has stopped"/);
  });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
