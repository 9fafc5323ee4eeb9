import { setTimeout as sleep } from 'node:timers/promises';
import { Cluster, serversMissing } from './support/cluster';
import { HttpResult } from './support/http';
import { startPostgres, stopPostgres } from './support/servers';
import { Account, signIn } from './support/topology-load';

// Issue 7, drill 2: PostgreSQL stopped and started under load. Requests during the outage get 503
// with {detail, code} (no hang, no 500); the API recovers by itself; no point is lost or doubled.

const OUTAGE_MS = 5_000;
const ADMIN = { username: 'drill-admin', password: 'drill-admin-password' };
const PASSWORD = 'correct-horse-battery';
const GRANT = 1_000_000;

const skipReason = serversMissing();

(skipReason === undefined ? describe : describe.skip)(
  'PostgreSQL restarted while customers and vendors trade points',
  () => {
    let cluster: Cluster;
    let customers: Account[];
    let vendor: Account;
    const answers: Array<{ phase: 'before' | 'outage' | 'after'; what: string; result: HttpResult }> = [];
    let phase: 'before' | 'outage' | 'after' = 'before';
    let readyDuringOutage: number | undefined;
    /** Tokens whose validation answered 503: the capture may or may not have committed. */
    const unsure: Array<{ token: string; points: number }> = [];

    beforeAll(async () => {
      cluster = await Cluster.create({
        AUTH_THROTTLE_LIMIT: '1000000',
        EXCHANGE_TOKEN_TTL: '3s',
        ADMIN_USERNAME: ADMIN.username,
        ADMIN_PASSWORD: ADMIN.password,
      });
      await cluster.startApi();
      await cluster.startApi();
      expect(
        await cluster.cli(['users', 'create', '--username', 'vendor-1', '--password', PASSWORD, '--role', 'vendor']),
      ).toMatchObject({ code: 0 });
      const admin = await signIn(cluster, ADMIN.username, ADMIN.password);
      vendor = await signIn(cluster, 'vendor-1', PASSWORD);
      customers = [];
      for (const username of ['carla', 'dmitri', 'esther', 'farid']) {
        expect(
          (
            await cluster
              .anyApi()
              .http.post('/api/users/register/', { username, email: `${username}@example.com`, password: PASSWORD })
          ).status,
        ).toBe(201);
        expect(
          (await cluster.anyApi().http.post('/api/admin/points/grant/', { username, points: GRANT }, admin.access))
            .status,
        ).toBe(201);
        customers.push(await signIn(cluster, username, PASSWORD));
      }

      const loadUntil = Date.now() + 20_000;
      const load = Promise.all(customers.map((customer) => trade(customer, loadUntil)));
      await sleep(5_000);
      phase = 'outage';
      await stopPostgres();
      const outageEnds = Date.now() + OUTAGE_MS;
      readyDuringOutage = (await cluster.anyApi().http.get('/api/health/ready')).status;
      await sleep(Math.max(0, outageEnds - Date.now()));
      await startPostgres();
      phase = 'after';
      await load;
      // Settle the validations whose answer was lost in the outage: a retry says what happened.
      for (const { token, points } of unsure) {
        const again = await cluster.anyApi().http.post('/api/exchange-tokens/validate/', { token }, vendor.access);
        answers.push({ phase: 'after', what: `retry of an unsure validation (${points} points)`, result: again });
      }
      const drained = Date.now() + 15_000;
      while (
        Date.now() < drained &&
        (
          await cluster.query<{ n: number }>(`SELECT count(*)::int AS n FROM exchange_tokens WHERE status = 'active'`)
        )[0].n > 0
      ) {
        await sleep(250);
      }
    }, 180_000);

    afterAll(async () => {
      const count = (which: typeof phase) => {
        const tally = new Map<number, number>();
        for (const { result } of answers.filter((answer) => answer.phase === which)) {
          tally.set(result.status, (tally.get(result.status) ?? 0) + 1);
        }
        return [...tally].map(([status, n]) => `${status}×${n}`).join(' ');
      };
      console.log(
        `PostgreSQL drill (${OUTAGE_MS / 1000} s outage): before ${count('before')}; during ${count('outage')}; after ${count('after')}; readiness during the outage ${readyDuringOutage}`,
      );
      // A 500 is logged with its stack by the API: show it, it is the bug to fix.
      const errors = (cluster?.apis ?? []).flatMap((api) =>
        api
          .loggedErrors()
          .filter((line) => line.includes('Unhandled error'))
          .map((line) => `${api.name}: ${line.slice(0, 3000)}`),
      );
      if (errors.length > 0) {
        console.log(`Errors logged by the API replicas:\n${errors.slice(0, 5).join('\n')}`);
      }
      await startPostgres().catch(() => undefined); // never leave the machine's server stopped
      await cluster?.teardown();
    }, 60_000);

    async function trade(customer: Account, until: number): Promise<void> {
      while (Date.now() < until) {
        const seen = phase;
        const points = 1 + Math.floor(Math.random() * 9);
        const created = await cluster
          .anyApi()
          .http.post('/api/exchange-tokens/', { points }, customer.access, { timeoutMs: 20_000 });
        answers.push({ phase: seen, what: 'create', result: created });
        if (created.status === 201 && Math.random() < 0.6) {
          const token = created.body.token as string;
          const validated = await cluster
            .anyApi()
            .http.post('/api/exchange-tokens/validate/', { token }, vendor.access, { timeoutMs: 20_000 });
          answers.push({ phase: phase, what: 'validate', result: validated });
          if (validated.status === 503) {
            unsure.push({ token, points });
          }
        }
        await sleep(50);
      }
    }

    it('answers 503 {detail, code} during the outage, never a 500 or a hang, and serves again after it', () => {
      const statuses = (which: typeof phase) =>
        answers.filter((answer) => answer.phase === which).map((answer) => answer.result.status);
      const bad = answers.filter(
        ({ result }) => result.status === 0 || result.status === 500 || (result.status >= 500 && result.status !== 503),
      );
      expect(
        bad.map(
          ({ phase: when, what, result }) =>
            `${when} ${what} on ${result.replica}: ${result.status} ${JSON.stringify(result.body)}`,
        ),
      ).toEqual([]);
      const unavailable = answers.filter(({ result }) => result.status === 503);
      expect(unavailable.length).toBeGreaterThan(0);
      for (const { result } of unavailable) {
        expect(result.body).toEqual({
          detail: expect.any(String),
          code: expect.stringMatching(/^(database_unavailable|service_unavailable)$/),
        });
      }
      expect(readyDuringOutage).toBe(503);
      expect(statuses('before').filter((status) => status === 201).length).toBeGreaterThan(0);
      expect(statuses('after').filter((status) => status === 201).length).toBeGreaterThan(0);
      expect(cluster.apis.every((api) => api.alive)).toBe(true);
    });

    it('keeps every point: ledger verify passes and balances + held + captured = granted', async () => {
      const verify = await cluster.cli(['ledger', 'verify']);
      expect(verify).toMatchObject({ code: 0 });
      const [books] = await cluster.query<Record<string, string>>(`SELECT
      (SELECT coalesce(sum(points), 0) FROM ledger_entries WHERE type = 'grant') AS granted,
      (SELECT coalesce(sum(points), 0) FROM ledger_entries WHERE type = 'capture') AS captured,
      (SELECT coalesce(sum(balance), 0) FROM point_accounts) AS balances,
      (SELECT coalesce(sum(held), 0) FROM point_accounts) AS held,
      (SELECT count(*) FROM ledger_entries WHERE type = 'capture') AS captures,
      (SELECT count(*) FROM exchange_requests) AS requests,
      (SELECT count(*) FROM (SELECT token_id FROM ledger_entries WHERE type IN ('release', 'capture') GROUP BY token_id HAVING count(*) > 1) twice) AS resolved_twice`);
      const n = Object.fromEntries(Object.entries(books).map(([key, value]) => [key, Number(value)]));
      expect(n.granted).toBe(GRANT * customers.length);
      expect(n.balances + n.held + n.captured).toBe(n.granted);
      expect(n.held).toBe(0);
      expect(n.captures).toBe(n.requests);
      expect(n.resolved_twice).toBe(0);
      // A capture the client saw (201, or 409 on the retry of an unsure one) is in the journal; none more.
      const acknowledged = answers.filter(
        ({ what, result }) =>
          (what === 'validate' && result.status === 201) || (what.startsWith('retry') && result.status === 409),
      );
      const retriedOk = answers.filter(({ what, result }) => what.startsWith('retry') && result.status === 201);
      expect(n.captures).toBe(acknowledged.length + retriedOk.length);
    });
  },
);
