import { LedgerVerifier } from '@app/ledger';
import { loadConfig } from '@app/config';
import { stackTargets } from '@app/testing';
import { NestExpressApplication } from '@nestjs/platform-express';
import { createApiApp } from '../apps/api/src/create-api-app';
import { SIGNING_KEY, TEST_AUTH_THROTTLE_LIMIT, startAuthApp } from './support/auth-app';
import { actor, sql } from './support/ledger-app';

const TOKENS = 12;

(stackTargets().includes('servers') ? describe : describe.skip)(
  'the expiry cron on two API replicas of one database',
  () => {
    let first: NestExpressApplication;
    let second: NestExpressApplication;
    let close: () => Promise<void>;

    beforeAll(async () => {
      const started = await startAuthApp('servers', { EXCHANGE_TOKEN_TTL: '1s' });
      first = started.app;
      second = await createApiApp(
        loadConfig({
          JWT_SIGNING_KEY: SIGNING_KEY,
          AUTH_THROTTLE_LIMIT: TEST_AUTH_THROTTLE_LIMIT,
          EXCHANGE_TOKEN_TTL: '1s',
          ...started.stack.env,
        }).config,
      );
      close = async () => {
        await second.close();
        await started.close();
      };
    });
    afterAll(async () => close?.());

    it('restores every expired token once, each tick swept by one replica only', async () => {
      const admin = await actor(first, 'admin', 'admin');
      const kim = await actor(second, 'kim', 'customer');
      await admin.post('/api/admin/points/grant/', { username: 'kim', points: 1_000 }).expect(201);
      for (let i = 0; i < TOKENS; i++) {
        await kim.post('/api/exchange-tokens/', { points: 10 }).expect(201);
        await new Promise((resolve) => setTimeout(resolve, 250)); // expiries spread over several ticks
      }
      const deadline = Date.now() + 10_000;
      let balances = (await kim.get('/api/points/').expect(200)).body as { balance: number; held: number };
      while (balances.held > 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        balances = (await kim.get('/api/points/').expect(200)).body as { balance: number; held: number };
      }
      expect(balances).toEqual({ balance: 1_000, held: 0 });
      const runs = await sql(first).query<{ tick: Date | null; replica: string; tokens: number; trigger: string }[]>(
        `SELECT tick, replica, tokens, trigger FROM sweep_runs ORDER BY id`,
      );
      // Creation sweeps the user's own expired tokens first, so some go by 'create'; the rest by cron.
      expect(runs.reduce((sum, run) => sum + run.tokens, 0)).toBe(TOKENS);
      const cronTicks = runs.filter((run) => run.trigger === 'cron').map((run) => run.tick?.getTime());
      expect(cronTicks.length).toBeGreaterThan(0);
      expect(new Set(cronTicks).size).toBe(cronTicks.length);
      expect(runs.every((run) => /^.+:\d+$/.test(run.replica))).toBe(true);
      const releases = await sql(first).query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM ledger_entries WHERE type = 'release'`,
      );
      expect(releases[0].n).toBe(TOKENS);
      expect((await first.get(LedgerVerifier).run()).problems).toEqual([]);
    });
  },
);
