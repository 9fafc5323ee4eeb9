/**
 * Issue 15's bench rows: (a) events per second through the transactional outbox to a consumer of
 * `hourglass.events`, against the broker's own publish-with-confirms → consume rate for as many
 * messages of the same size; (b) the outbox's added cost on exchange-token creation: the production
 * statement against the same statement without its outbox insert, at the SQL level, in one run.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { CREATE_TOKEN } from '../libs/ledger/src/tokens/exchange-token.statements';
import { type Channel, connect } from 'amqplib';
import { Client } from 'pg';
import type { BenchApi } from './api-process';
import { grant } from './accounts';
import { inTransaction, owners, seedExpired } from './sweep.bench';
import type { Metric } from './summary';

const EVENTS = Number(process.env.BENCH_OUTBOX_EVENTS ?? 10_000);
/** How long the rows left by earlier scenarios (the 100k-token sweep's events) may take to be relayed. */
const BACKLOG_TIMEOUT_MS = 60_000;
/** As the relay publishes: this many messages, then wait for their confirms. */
const CONFIRM_BATCH = 500;
const PIPELINE_TIMEOUT_MS = 60_000;
const SQL_CLIENTS = 10;
const SQL_ROUND_MS = 2_000;
const SQL_ROUNDS = 2;
const EVENTS_EXCHANGE = 'hourglass.events';

/** `text` without its CTE `name AS (…)` (and the comma before it); throws if there is none. */
export function withoutCte(text: string, name: string): string {
  const head = new RegExp(`,\\s*${name} AS \\(`).exec(text);
  if (head === null) {
    throw new Error(`no CTE "${name}" in the statement`);
  }
  let depth = 0;
  let quoted = false;
  for (let i = head.index + head[0].length - 1; i < text.length; i++) {
    const c = text[i];
    if (c === "'") {
      quoted = !quoted;
    } else if (!quoted && c === '(') {
      depth++;
    } else if (!quoted && c === ')' && --depth === 0) {
      return text.slice(0, head.index) + text.slice(i + 1);
    }
  }
  throw new Error(`unbalanced CTE "${name}"`);
}

/** Resolves with the wall-clock time (ms) the last of `expected` event ids arrived; counts repeats. */
async function follow(
  channel: Channel,
  bind: { exchange: string; routingKey: string },
  accept: (body: { id?: string; data?: { userId?: number } }) => boolean,
  expected: number,
): Promise<{ done: Promise<number>; duplicates: () => number }> {
  const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true, durable: false });
  await channel.bindQueue(queue, bind.exchange, bind.routingKey);
  const seen = new Set<string>();
  let duplicates = 0;
  let resolve: (at: number) => void = () => undefined;
  const done = new Promise<number>((r) => (resolve = r));
  await channel.consume(
    queue,
    (message) => {
      if (message === null) {
        return;
      }
      const body = JSON.parse(message.content.toString('utf8')) as { id?: string; data?: { userId?: number } };
      if (body.id === undefined || !accept(body)) {
        return;
      }
      if (seen.has(body.id)) {
        duplicates++;
      } else if (seen.add(body.id).size === expected) {
        resolve(Date.now());
      }
    },
    { noAck: true },
  );
  const timeout = new Promise<number>((_, reject) =>
    setTimeout(
      () => reject(new Error(`only ${seen.size} of ${expected} events after ${PIPELINE_TIMEOUT_MS} ms`)),
      PIPELINE_TIMEOUT_MS,
    ).unref(),
  );
  return { done: Promise.race([done, timeout]), duplicates: () => duplicates };
}

/**
 * (a) EVENTS expired tokens released by the API's expiry cron, each writing `ledger.token.expired`
 * in its batch's statement; timed from the first event's `time` (its statement's database clock,
 * this machine's clock) until a consumer bound to `hourglass.events` has received every one, by id.
 */
async function pipeline(api: BenchApi, amqpUrl: string, log: (line: string) => void): Promise<Metric> {
  const connection = await connect(amqpUrl);
  try {
    const channel = await connection.createChannel();
    const sweepOwners = await owners(api, 'bench-outbox-', 20);
    const ownerIds = new Set(sweepOwners);
    const seeded = Math.ceil(EVENTS / sweepOwners.length) * sweepOwners.length;
    let first = Number.POSITIVE_INFINITY;
    let size = 0;
    const consumer = await follow(
      channel,
      { exchange: EVENTS_EXCHANGE, routingKey: 'ledger.token.expired' },
      (event) => {
        if (!ownerIds.has(event.data?.userId ?? -1)) {
          return false;
        }
        const time = Date.parse((event as { time?: string }).time ?? '');
        first = Math.min(first, time);
        size ||= JSON.stringify(event).length;
        return true;
      },
      seeded,
    );
    log(`outbox pipeline: ${seeded} expired tokens for the API's cron, events to a consumer…`);
    await inTransaction(api, (client) => seedExpired(client, sweepOwners, seeded));
    const last = await consumer.done;
    const ours = (seeded / Math.max(1, last - first)) * 1000;
    log(`outbox pipeline: broker baseline, ${seeded} messages of ${size} bytes…`);
    const broker = await brokerRate(amqpUrl, channel, seeded, size);
    return {
      metric: `events through the outbox to a consumer (${seeded} expiries) vs the broker alone`,
      unit: 'events/s',
      hourglass: ours,
      baseline: { name: `publish with confirms → consume, ${seeded} × ${size} B`, value: broker },
      note: `duplicates ${consumer.duplicates()}`,
    };
  } finally {
    await connection.close();
  }
}

/** The broker alone: `count` persistent messages of `size` bytes, published with confirms in the relay's batches, consumed by id. */
async function brokerRate(amqpUrl: string, consumerChannel: Channel, count: number, size: number): Promise<number> {
  const connection = await connect(amqpUrl);
  try {
    const exchange = `bench.outbox.${randomUUID()}`;
    const publisher = await connection.createConfirmChannel();
    await publisher.assertExchange(exchange, 'topic', { durable: false, autoDelete: true });
    const consumer = await follow(consumerChannel, { exchange, routingKey: '#' }, () => true, count);
    const padding = 'x'.repeat(Math.max(0, size - JSON.stringify({ id: randomUUID(), pad: '' }).length));
    const started = Date.now();
    for (let sent = 0; sent < count; sent += CONFIRM_BATCH) {
      for (let i = sent; i < Math.min(count, sent + CONFIRM_BATCH); i++) {
        const body = Buffer.from(JSON.stringify({ id: randomUUID(), pad: padding }));
        publisher.publish(exchange, 'bench', body, { persistent: true, contentType: 'application/json' });
      }
      await publisher.waitForConfirms();
    }
    const last = await consumer.done;
    await publisher.deleteExchange(exchange);
    return (count / Math.max(1, last - started)) * 1000;
  } finally {
    await connection.close();
  }
}

/**
 * (b) The creation statement as the API sends it (named, prepared) against the same text without
 * its outbox insert, SQL_CLIENTS connections on as many users, alternating rounds, the better of
 * each kept. The relay runs as in production (it publishes the first variant's events).
 */
async function creationCost(api: BenchApi, log: (line: string) => void): Promise<Metric> {
  const url = api.databaseUrl as string;
  const { rows } = await api.sql.query<{ id: number }>(
    `INSERT INTO users (username, password_hash) SELECT 'bench-outbox-sql-' || g, 'x' FROM generate_series(1, $1::int) g RETURNING id`,
    [SQL_CLIENTS],
  );
  const users = rows.map((row) => row.id);
  // Points through the admin grant, with their journal entries: the books stay true for the
  // `ledger verify` that ends the bench (a balance set by SQL alone is drift).
  for (let g = 1; g <= SQL_CLIENTS; g++) {
    await grant(api, `bench-outbox-sql-${g}`, 1_000_000_000);
  }
  const variants = [
    { name: 'bench_create_with_outbox', text: CREATE_TOKEN.text },
    { name: 'bench_create_without_outbox', text: withoutCte(CREATE_TOKEN.text, 'events') },
  ];
  const clients = await Promise.all(
    users.map(async () => {
      const client = new Client({ connectionString: url });
      await client.connect();
      return client;
    }),
  );
  try {
    const best = [0, 0];
    for (let round = 0; round < SQL_ROUNDS; round++) {
      for (const [index, variant] of variants.entries()) {
        log(`outbox cost: ${variant.name}, round ${round + 1}…`);
        let done = 0;
        const end = performance.now() + SQL_ROUND_MS;
        const started = performance.now();
        await Promise.all(
          clients.map(async (client, i) => {
            while (performance.now() < end) {
              // $1 token, $2 user, $3 points, $4 TTL ms, $5 key, $6 fingerprint, $7 release limit.
              await client.query({
                name: variant.name,
                text: variant.text,
                values: [randomBytes(16).toString('base64url'), users[i], 1, 300_000, null, null, 10],
              });
              done++;
            }
          }),
        );
        best[index] = Math.max(best[index], (done / (performance.now() - started)) * 1000);
      }
    }
    return {
      metric: `exchange-token creation statement with its outbox event vs without (SQL, ${SQL_CLIENTS} clients)`,
      unit: 'stmt/s',
      hourglass: best[0],
      baseline: { name: 'same statement, no outbox insert', value: best[1] },
      note: `outbox adds ${((best[1] / best[0] - 1) * 100).toFixed(0)}% time per creation`,
    };
  } finally {
    await Promise.all(clients.map((client) => client.end()));
  }
}

/** Waits until the relay has published what earlier scenarios left in the outbox; returns how long it took (ms). */
async function drained(api: BenchApi, log: (line: string) => void): Promise<number> {
  const started = performance.now();
  for (;;) {
    const { rows } = await api.sql.query<{ n: string }>(
      'SELECT count(*) AS n FROM outbox_events WHERE sent_at IS NULL',
    );
    if (Number(rows[0].n) === 0) {
      return performance.now() - started;
    }
    if (performance.now() - started > BACKLOG_TIMEOUT_MS) {
      throw new Error(`${rows[0].n} events still unsent after ${BACKLOG_TIMEOUT_MS} ms`);
    }
    if (performance.now() - started < 200) {
      log(`outbox: waiting for the relay to publish ${rows[0].n} events of earlier scenarios…`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Both rows, each on an outbox the relay has emptied (so it measures this row's events only). */
export async function outboxBench(
  api: BenchApi,
  log: (line: string) => void,
): Promise<{ lines: string[]; metrics: Metric[] }> {
  const metrics: Metric[] = [];
  const waited = await drained(api, log);
  if (api.databaseUrl === undefined) {
    metrics.push({
      metric: 'exchange-token creation with its outbox event vs without (SQL)',
      unit: 'stmt/s',
      hourglass: Number.NaN,
      note: 'needs BENCH_DATABASE_URL',
    });
  } else {
    metrics.push(await creationCost(api, log));
  }
  if (api.amqpUrl === undefined) {
    metrics.push({
      metric: 'events through the outbox to a consumer',
      unit: 'events/s',
      hourglass: Number.NaN,
      note: 'needs BENCH_AMQP_URL',
    });
  } else {
    await drained(api, log);
    metrics.push(await pipeline(api, api.amqpUrl, log));
  }
  const lines = [`(earlier scenarios' events relayed ${(waited / 1000).toFixed(1)} s after this part started)`];
  lines.push(
    ...metrics.map(
      (m) =>
        `${m.metric}: ${m.hourglass.toFixed(0)} ${m.unit}` +
        (m.baseline ? `; ${m.baseline.name} ${m.baseline.value.toFixed(0)} ${m.unit}` : '') +
        (m.note ? ` (${m.note})` : ''),
    ),
  );
  return { lines, metrics };
}
