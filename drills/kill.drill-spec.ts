import { execFile } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { ApiReplica, Cluster, serversMissing } from './support/cluster';
import { Account, signIn } from './support/topology-load';

// Issue 7, drill 3: `kill -9` of an API replica while it sweeps a large backlog of expired tokens,
// and of a worker holding a WhatsApp session. The survivors finish the work.

const ADMIN = { username: 'drill-admin', password: 'drill-admin-password' };
const BACKLOG = 50_000;

const skipReason = serversMissing();

/**
 * The API replica whose connection is inside a release transaction right now: the server names
 * the client port of that backend, and `ss` names the process on the other end of it.
 */
async function sweepingReplica(cluster: Cluster): Promise<ApiReplica | undefined> {
  const rows = await cluster.query<{ port: number }>(
    `SELECT client_port AS port FROM pg_stat_activity
     WHERE datname = current_database() AND pid <> pg_backend_pid() AND xact_start IS NOT NULL AND query ILIKE '%exchange_tokens%'`,
  );
  for (const { port } of rows) {
    const { stdout } = await promisify(execFile)('ss', ['-tnpH', `sport = :${port}`]);
    const pid = /pid=(\d+)/.exec(stdout)?.[1];
    const replica = cluster.apis.find((api) => String(api.pid) === pid);
    if (replica !== undefined) {
      return replica;
    }
  }
  return undefined;
}

async function until<T>(probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await probe();
  while (!done(value) && Date.now() < deadline) {
    await sleep(200);
    value = await probe();
  }
  return value;
}

(skipReason === undefined ? describe : describe.skip)(
  'kill -9 of an API replica mid-sweep and of a worker holding a session',
  () => {
    let cluster: Cluster;
    let admin: Account;

    beforeAll(async () => {
      cluster = await Cluster.create({
        WHATSAPP_DRIVER: 'simulator',
        WHATSAPP_QR_TIMEOUT: '20s',
        WHATSAPP_HEARTBEAT_INTERVAL: '1s',
        ADMIN_USERNAME: ADMIN.username,
        ADMIN_PASSWORD: ADMIN.password,
      });
      await cluster.startApi();
      await Promise.all([cluster.startApi(), cluster.startWorker('worker-1'), cluster.startWorker('worker-2')]);
      admin = await signIn(cluster, ADMIN.username, ADMIN.password);
    }, 120_000);

    afterAll(async () => cluster?.teardown(), 60_000);

    it('lets the surviving replica release every token of a backlog exactly once after the sweeping one dies', async () => {
      const granted = await cluster
        .anyApi()
        .http.post('/api/admin/points/grant/', { username: ADMIN.username, points: BACKLOG * 10 }, admin.access);
      expect(granted.status).toBe(201);
      // A backlog as creations leave it (token rows, hold entries, balances moved), in one statement.
      await cluster.query(
        `WITH account AS (SELECT user_id FROM point_accounts LIMIT 1),
       made AS (
         INSERT INTO exchange_tokens (token, user_id, points, expires_at)
         SELECT md5(random()::text || g) || md5(g || clock_timestamp()::text), account.user_id, 10, now() + interval '1 hour' FROM generate_series(1, $1::int) AS g, account
         RETURNING token, user_id, points
       ), held AS (
         INSERT INTO ledger_entries (user_id, type, points, token_id) SELECT user_id, 'hold', points, token FROM made RETURNING points
       )
       UPDATE point_accounts SET balance = balance - (SELECT sum(points) FROM held), held = held + (SELECT sum(points) FROM held)`,
        [BACKLOG],
      );
      expect((await cluster.cli(['ledger', 'verify'])).code).toBe(0);

      // Everything expires at once; both replicas' crons go for it; one of them dies a moment later.
      await cluster.query(`UPDATE exchange_tokens SET expires_at = now() - interval '1 second'`);
      const victim = await until(
        () => sweepingReplica(cluster),
        (replica) => replica !== undefined,
        10_000,
      );
      expect(victim).toBeDefined();
      const released = (
        await cluster.query<{ n: number }>(`SELECT count(*)::int AS n FROM ledger_entries WHERE type = 'release'`)
      )[0].n;
      await victim?.kill();
      const survivor = cluster.apis.find((api) => api !== victim);
      const remaining = await until(
        async () =>
          (
            await cluster.query<{ n: number }>(`SELECT count(*)::int AS n FROM exchange_tokens WHERE status = 'active'`)
          )[0].n,
        (n) => n === 0,
        60_000,
      );
      expect(remaining).toBe(0);
      expect(survivor?.alive).toBe(true);
      expect(released).toBeLessThan(BACKLOG); // it died with work left

      const [books] = await cluster.query<Record<string, string>>(`SELECT
      (SELECT count(*) FROM ledger_entries WHERE type = 'release') AS releases,
      (SELECT count(DISTINCT token_id) FROM ledger_entries WHERE type = 'release') AS released_tokens,
      (SELECT balance FROM point_accounts LIMIT 1) AS balance,
      (SELECT held FROM point_accounts LIMIT 1) AS held,
      (SELECT string_agg(DISTINCT replica, ',') FROM sweep_runs) AS replicas`);
      expect({
        releases: Number(books.releases),
        releasedTokens: Number(books.released_tokens),
        balance: Number(books.balance),
        held: Number(books.held),
      }).toEqual({
        releases: BACKLOG,
        releasedTokens: BACKLOG,
        balance: BACKLOG * 10,
        held: 0,
      });
      console.log(
        `Kill drill: ${BACKLOG} expired tokens; ${victim?.name} killed mid-sweep after ${released} releases; sweep_runs by ${books.replicas}`,
      );
      expect((await cluster.cli(['ledger', 'verify'])).code).toBe(0);
    });

    it('hands the session of a killed worker to the other one once its heartbeat is stale', async () => {
      const created = await cluster
        .anyApi()
        .http.post('/api/whatsapp/numbers/', { phoneNumber: '+221772000001' }, admin.access);
      const id = created.body.id as number;
      expect(
        (await cluster.anyApi().http.post(`/api/whatsapp/numbers/${id}/validate/`, undefined, admin.access)).status,
      ).toBe(202);
      const shown = await until(
        () => cluster.anyApi().http.get(`/api/whatsapp/numbers/${id}/`, admin.access),
        (r) => r.body?.status === 'qr_ready',
        20_000,
      );
      const owner = shown.body.workerId as string;
      const dead = cluster.workers.find((worker) => worker.workerId === owner);
      const other = cluster.workers.find((worker) => worker.workerId !== owner);
      expect(dead && other).toBeTruthy();
      await dead?.kill();
      await sleep(4_000); // 3 heartbeat intervals of silence and a little more

      expect(
        (await cluster.anyApi().http.post(`/api/whatsapp/numbers/${id}/regenerate-qr/`, undefined, admin.access))
          .status,
      ).toBe(202);
      const taken = await until(
        () => cluster.anyApi().http.get(`/api/whatsapp/numbers/${id}/`, admin.access),
        (r) => r.body?.status === 'qr_ready' && r.body?.workerId === other?.workerId,
        20_000,
      );
      expect(taken.body).toMatchObject({ status: 'qr_ready', workerId: other?.workerId });
      expect(
        (await cluster.anyApi().http.post(`/api/whatsapp/numbers/${id}/simulate-scan/`, undefined, admin.access))
          .status,
      ).toBe(202);
      const connected = await until(
        () => cluster.anyApi().http.get(`/api/whatsapp/numbers/${id}/`, admin.access),
        (r) => r.body?.status === 'connected',
        20_000,
      );
      expect(connected.body).toMatchObject({ status: 'connected', workerId: other?.workerId });
      console.log(
        `Kill drill: number ${id} owned by ${owner} (killed) was taken over by ${other?.workerId} and connected`,
      );
    });
  },
);
