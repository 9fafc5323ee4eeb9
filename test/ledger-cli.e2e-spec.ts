import { DEFAULT_SWEEP_BATCH_SIZE } from '@app/ledger';
import { StackTarget, runApp, stackTargets } from '@app/testing';
import { NestExpressApplication } from '@nestjs/platform-express';
import { SIGNING_KEY, startAuthApp } from './support/auth-app';
import { Actor, NO_CRON, actor, expireTokens, signedIn, sql } from './support/ledger-app';

/**
 * The admin CLI against a running API's database. It runs the compiled CLI, as `npm run cli` does
 * (`npm test` builds it first). Embedded, the CLI attaches to the API's database socket, as it
 * does next to `npm start`.
 */
// The progress-bar test releases several batches of tokens; on a loaded machine that takes a while.
jest.setTimeout(180_000);

describe.each(stackTargets())(
  'cli cleanup-expired-tokens / points grant / ledger verify on %s',
  (target: StackTarget) => {
    let app: NestExpressApplication;
    let close: () => Promise<void>;
    let env: Record<string, string>;
    let admin: Actor;
    const cli = (...args: string[]) => runApp('cli', env, args);

    beforeAll(async () => {
      const started = await startAuthApp(target, { EXCHANGE_EXPIRY_CRON: NO_CRON });
      ({ app, close } = started);
      env = { ...started.stack.env, JWT_SIGNING_KEY: SIGNING_KEY, LOG_LEVEL: 'warn' };
      admin = await actor(app, 'admin', 'admin');
    });
    afterAll(async () => close?.());

    it('grants points, and refuses an unknown user or bad points with one line and exit 1', async () => {
      await actor(app, 'user', 'customer');
      await actor(app, 'user2', 'customer');
      expect(await cli('points', 'grant', '--username', 'user', '--points', '100', '--reason', 'seed')).toMatchObject({
        code: 0,
        stdout: 'Granted 100 points to user; balance is now 100.\n',
      });
      const unknown = await cli('points', 'grant', '--username', 'ghost', '--points', '5');
      expect(unknown).toMatchObject({ code: 1, stdout: '' });
      expect(unknown.stderr.trim()).toBe('Error: No user is named "ghost".');
      const bad = await cli('points', 'grant', '--username', 'user', '--points', '2.5');
      expect(bad.code).toBe(1);
      expect(bad.stderr).toMatch(/--points must be a positive integer/);
    });

    it('prints the seed’s report, changes nothing on --dry-run, and restores each token once', async () => {
      await admin.post('/api/admin/points/grant/', { username: 'user2', points: 50 }).expect(201);
      const user = await signedIn(app, 'user');
      const user2 = await signedIn(app, 'user2');
      for (const points of [60, 40]) {
        await user.post('/api/exchange-tokens/', { points }).expect(201);
      }
      for (const points of [10, 20, 20]) {
        await user2.post('/api/exchange-tokens/', { points }).expect(201);
      }
      await expireTokens(app);

      const dry = await cli('cleanup-expired-tokens', '--dry-run');
      expect(dry.code).toBe(0);
      expect(dry.stdout).toBe(
        [
          'Dry run: nothing will be changed.',
          'Found 5 expired tokens to clean up.',
          'Points would be restored for user@example.com: +100 points',
          'Points would be restored for user2@example.com: +50 points',
          'Dry run finished (nothing was changed):',
          '- 5 tokens would be deleted',
          '- 2 users affected',
          '- 150 points would be restored in total',
          '',
        ].join('\n'),
      );
      expect((await user.get('/api/points/').expect(200)).body).toEqual({ balance: 0, held: 100 });

      const real = await cli('cleanup-expired-tokens');
      expect(real.code).toBe(0);
      expect(real.stdout).toBe(
        [
          'Found 5 expired tokens to clean up.',
          'Points restored for user@example.com: +100 points',
          'Points restored for user2@example.com: +50 points',
          'Cleanup finished:',
          '- 5 tokens deleted',
          '- 2 users affected',
          '- 150 points restored in total',
          '',
        ].join('\n'),
      );
      expect((await user.get('/api/points/').expect(200)).body).toEqual({ balance: 100, held: 0 });
      expect((await user2.get('/api/points/').expect(200)).body).toEqual({ balance: 50, held: 0 });

      const again = await cli('cleanup-expired-tokens', '--json');
      expect(again.code).toBe(0);
      expect(JSON.parse(again.stdout)).toEqual({
        dryRun: false,
        found: 0,
        tokensDeleted: 0,
        usersAffected: 0,
        pointsRestored: 0,
        users: [],
      });
      const runs = await sql(app).query(
        `SELECT tokens, users, points FROM sweep_runs WHERE trigger = 'cli' ORDER BY id`,
      );
      expect(runs).toEqual([
        { tokens: 5, users: 2, points: '150' },
        { tokens: 0, users: 0, points: '0' },
      ]);
    });

    it('shows a progress bar on stderr when the backlog spans several batches', async () => {
      const owner = await actor(app, 'bulk', 'customer');
      const [{ id }] = await sql(app).query(`SELECT id FROM users WHERE username = 'bulk'`);
      const tokens = DEFAULT_SWEEP_BATCH_SIZE + 500;
      // The state `tokens` one-point creations would leave once expired: a grant, holds, live rows.
      await sql(app).query(`INSERT INTO point_accounts (user_id, held) VALUES ($1, $2)`, [id, tokens]);
      await sql(app).query(`INSERT INTO ledger_entries (user_id, type, points) VALUES ($1, 'grant', $2)`, [id, tokens]);
      await sql(app).query(
        `WITH made AS (
         INSERT INTO exchange_tokens (token, user_id, points, expires_at)
         SELECT md5('bulk-' || g), $1, 1, now() - interval '1 minute' FROM generate_series(1, $2::int) g RETURNING token
       ) INSERT INTO ledger_entries (user_id, type, points, token_id) SELECT $1, 'hold', 1, token FROM made`,
        [id, tokens],
      );
      const result = await cli('cleanup-expired-tokens');
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(
        `Found ${tokens} expired tokens to clean up.\nPoints restored for bulk@example.com: +${tokens} points\n`,
      );
      expect(result.stderr).toMatch(new RegExp(`Releasing \\[=+\\] 100% \\| ${tokens}/${tokens} tokens`));
      expect((await owner.get('/api/points/').expect(200)).body).toEqual({ balance: tokens, held: 0 });
    });

    it('verifies the ledger, and exits 1 listing the drift when a balance was tampered with', async () => {
      expect(await cli('ledger', 'verify')).toMatchObject({
        code: 0,
        stdout: expect.stringMatching(/^Ledger consistent: \d+ account\(s\) checked, no drift\.\n$/),
      });
      await sql(app).query(
        `UPDATE point_accounts SET balance = balance + 7 WHERE user_id = (SELECT id FROM users WHERE username = 'user2')`,
      );
      const drift = await cli('ledger', 'verify');
      expect(drift.code).toBe(1);
      expect(drift.stdout).toMatch(
        /^user user2 \(id \d+\): balance 57 held 0; journal says balance 50 held 0; active tokens hold 0$/m,
      );
      expect(drift.stderr.trim()).toBe('Error: Ledger drift: 1 problem(s) found.');
      await sql(app).query(
        `UPDATE point_accounts SET balance = balance - 7 WHERE user_id = (SELECT id FROM users WHERE username = 'user2')`,
      );
    });

    it('prints points grant and ledger verify as one JSON object with --json, drift included', async () => {
      await actor(app, 'user3', 'customer');
      const granted = await cli('points', 'grant', '--username', 'user3', '--points', '25', '--json');
      expect(granted).toMatchObject({ code: 0 });
      expect(JSON.parse(granted.stdout)).toEqual({ username: 'user3', points: 25, balance: 25 });

      const consistent = await cli('ledger', 'verify', '--json');
      expect(consistent.code).toBe(0);
      expect(JSON.parse(consistent.stdout)).toEqual({ consistent: true, accounts: expect.any(Number), problems: [] });

      await sql(app).query(
        `UPDATE point_accounts SET balance = balance + 3 WHERE user_id = (SELECT id FROM users WHERE username = 'user3')`,
      );
      const drift = await cli('ledger', 'verify', '--json');
      expect(drift.code).toBe(1);
      expect(JSON.parse(drift.stdout)).toEqual({
        consistent: false,
        accounts: expect.any(Number),
        problems: [expect.stringMatching(/^user user3 \(id \d+\): balance 28 held 0; journal says balance 25 held 0/)],
      });
      expect(drift.stderr.trim()).toBe('Error: Ledger drift: 1 problem(s) found.');
      await sql(app).query(
        `UPDATE point_accounts SET balance = balance - 3 WHERE user_id = (SELECT id FROM users WHERE username = 'user3')`,
      );
    });
  },
);
