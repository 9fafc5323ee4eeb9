import {
  AttemptAdmission,
  AttemptSubject,
  AuthModule,
  CredentialThrottleService,
  InvalidCredentialsError,
  ThrottledAction,
  TokenRejectedError,
  UserInputError,
} from '@app/auth';
import { DatabaseTarget, TestDatabase, createDatabaseTestApp, createTestDatabase, databaseTargets } from '@app/testing';
import { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';

const LIMIT = 3;
const USERNAME_LIMIT = 6;
const IP_LIMIT = 8;
const WRONG_PASSWORD = new InvalidCredentialsError();
const WRONG_OLD_PASSWORD = new UserInputError({ old_password: ['Your old password was entered incorrectly.'] });

describe.each(databaseTargets())('on the %s database', (target: DatabaseTarget) => {
  let testDatabase: TestDatabase;
  let apps: INestApplicationContext[] = [];
  /** On a server: one service per app, i.e. separate connection pools, as API processes have. */
  let services: CredentialThrottleService[];
  let dataSource: DataSource;
  let subjects = 0;
  /** A username and an IP nobody used before. */
  const fresh = () => ({ username: `user-${++subjects}`, ip: `10.0.${subjects >> 8}.${subjects & 255}` });

  beforeAll(async () => {
    testDatabase = await createTestDatabase(target);
    const env = {
      ...testDatabase.env,
      AUTH_THROTTLE_LIMIT: String(LIMIT),
      AUTH_THROTTLE_USERNAME_LIMIT: String(USERNAME_LIMIT),
      AUTH_THROTTLE_IP_LIMIT: String(IP_LIMIT),
      AUTH_THROTTLE_TTL: '1m',
    };
    const processes = target === 'postgres' ? 3 : 1;
    apps = [await createDatabaseTestApp({ env, imports: [AuthModule], logger: ['error'] })];
    for (let i = 1; i < processes; i++) {
      apps.push(await createDatabaseTestApp({ env, imports: [AuthModule], migrate: false, logger: ['error'] }));
    }
    services = apps.map((app) => app.get(CredentialThrottleService));
    dataSource = apps[0].get(DataSource);
  });

  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()));
    await testDatabase?.cleanup();
  });

  /** One attempt, begun on process `i` and finished with `error` (undefined: it succeeded). */
  async function attempt(action: ThrottledAction, subject: AttemptSubject, error?: unknown, i = 0) {
    const admission = await services[i % services.length].begin(action, subject);
    if (admission.admitted) {
      await admission.attempt.finish(error);
    }
    return admission;
  }
  const login = (subject: AttemptSubject, error?: unknown, i = 0) => attempt('obtain', subject, error, i);
  const isAdmitted = async (admission: Promise<AttemptAdmission>) => (await admission).admitted;
  const retryAfter = (admission: AttemptAdmission) => (admission.admitted ? 0 : admission.retryAfterSeconds);
  const rowCount = async () =>
    Number((await dataSource.query<{ n: string }[]>('SELECT count(*) AS n FROM throttle_counters'))[0].n);

  describe(CredentialThrottleService.name, () => {
    it('lets exactly the limit of a burst of failing logins through, whichever process counts them', async () => {
      const client = fresh();
      const burst = await Promise.all(Array.from({ length: 40 }, (_, i) => login(client, WRONG_PASSWORD, i)));
      expect(burst.filter((each) => each.admitted)).toHaveLength(LIMIT);
      // Refused while the admitted ones were in flight: 1 s; once they had failed: the block's end.
      for (const refused of burst.filter((each) => !each.admitted)) {
        const seconds = retryAfter(refused);
        expect(seconds === 1 || (seconds > 55 && seconds <= 60)).toBe(true);
      }
      // Blocked now for AUTH_THROTTLE_TTL, even for the right password.
      const blocked = await login(client);
      expect(blocked.admitted).toBe(false);
      expect(retryAfter(blocked)).toBeGreaterThan(55);
      expect(retryAfter(blocked)).toBeLessThanOrEqual(60);
    });

    it('counts no successful login: 30 in a row, then still the whole limit of failures', async () => {
      const client = fresh();
      for (let i = 0; i < 30; i++) {
        expect(await isAdmitted(login(client, undefined, i))).toBe(true);
      }
      for (let i = 0; i < LIMIT; i++) {
        expect(await isAdmitted(login(client, WRONG_PASSWORD, i))).toBe(true);
      }
      expect(await isAdmitted(login(client, WRONG_PASSWORD))).toBe(false);
    });

    it("forgets a client's failures for a username once it logs in", async () => {
      const client = fresh();
      await login(client, WRONG_PASSWORD);
      await login(client, WRONG_PASSWORD);
      expect(await isAdmitted(login(client))).toBe(true);
      for (let i = 0; i < LIMIT; i++) {
        expect(await isAdmitted(login(client, WRONG_PASSWORD, i))).toBe(true);
      }
      expect(await isAdmitted(login(client))).toBe(false);
    });

    it('gives back the hits of attempts that checked nothing (invalid input, a server error)', async () => {
      const client = fresh();
      for (let i = 0; i < 3 * LIMIT; i++) {
        expect(await isAdmitted(login(client, new Error('the database went away'), i))).toBe(true);
        expect(await isAdmitted(attempt('refresh', client, new UserInputError({ refresh: ['required'] }), i))).toBe(
          true,
        );
      }
    });

    it('never refuses a client that has not failed for a username under attack, refuses one that has', async () => {
      const { username } = fresh();
      const owner = { username, ip: fresh().ip };
      const failing = { username, ip: fresh().ip };
      await login(failing, WRONG_PASSWORD);
      // An attack from many IPs at once: each IP's first guess is checked.
      const attackers = Array.from({ length: 3 * USERNAME_LIMIT }, () => ({ username, ip: fresh().ip }));
      const guesses = await Promise.all(attackers.map((each, i) => login(each, WRONG_PASSWORD, i)));
      expect(guesses.every((each) => each.admitted)).toBe(true);
      // Under attack: a client that failed in its window is refused, whatever it sends, until its
      // failures age out…
      const refused = await login(failing);
      expect(refused.admitted).toBe(false);
      expect(retryAfter(refused)).toBeLessThanOrEqual(60);
      expect(await isAdmitted(login(attackers[0], WRONG_PASSWORD))).toBe(false);
      // …while the owner, from an IP that has not failed, always gets the password checked.
      for (let i = 0; i < 10; i++) {
        expect(await isAdmitted(login(owner, undefined, i))).toBe(true);
      }
      // A new IP gets one guess.
      const newcomer = { username, ip: fresh().ip };
      expect(await isAdmitted(login(newcomer, WRONG_PASSWORD))).toBe(true);
      expect(await isAdmitted(login(newcomer, WRONG_PASSWORD))).toBe(false);
    });

    it('limits failed logins per IP across usernames at AUTH_THROTTLE_IP_LIMIT, for that IP only', async () => {
      const { ip } = fresh();
      const usernames = Array.from({ length: IP_LIMIT + 2 }, () => fresh().username);
      const outcomes: boolean[] = [];
      for (const username of usernames) {
        outcomes.push(await isAdmitted(login({ username, ip }, WRONG_PASSWORD)));
      }
      expect(outcomes).toEqual([...Array<boolean>(IP_LIMIT).fill(true), false, false]);
      expect(await isAdmitted(login({ username: usernames[0], ip: fresh().ip }))).toBe(true);
    });

    it('limits wrong current passwords per user from any IP, and per IP across users', async () => {
      const change = (userId: number, ip: string, error: unknown = WRONG_OLD_PASSWORD) =>
        isAdmitted(attempt('password_change', { userId, ip }, error));
      const userId = 1_000_000 + subjects;
      for (let i = 0; i < LIMIT; i++) {
        expect(await change(userId, fresh().ip)).toBe(true);
      }
      expect(await change(userId, fresh().ip, undefined)).toBe(false);
      // New passwords that differ are no failure.
      const differ = new UserInputError({ new_password2: ['The two password fields didn’t match.'] });
      for (let i = 0; i < 2 * LIMIT; i++) {
        expect(await change(userId + 1, fresh().ip, differ)).toBe(true);
      }
      const { ip } = fresh();
      const outcomes: boolean[] = [];
      for (let user = 0; user <= IP_LIMIT; user++) {
        outcomes.push(await change(2_000_000 + 100 * subjects + user, ip));
      }
      expect(outcomes).toEqual([...Array<boolean>(IP_LIMIT).fill(true), false]);
    });

    it('counts refused refresh tokens per IP, not successful refreshes', async () => {
      const { ip } = fresh();
      for (let i = 0; i < 3 * LIMIT; i++) {
        expect(await isAdmitted(attempt('refresh', { ip }, undefined, i))).toBe(true);
      }
      const invalid = new TokenRejectedError('Token is invalid', 'token_view');
      for (let i = 0; i < LIMIT; i++) {
        expect(await isAdmitted(attempt('refresh', { ip }, invalid, i))).toBe(true);
      }
      expect(await isAdmitted(attempt('refresh', { ip }))).toBe(false);
    });

    it('counts every registration attempt per IP and per username, successes included', async () => {
      const { ip, username } = fresh();
      for (let i = 0; i < LIMIT; i++) {
        expect(await isAdmitted(attempt('register', { ip, username: `${username}-${i}` }))).toBe(true);
      }
      expect(await isAdmitted(attempt('register', { ip, username: `${username}-x` }))).toBe(false);
      const taken = new UserInputError({ username: ['A user with that username already exists.'] });
      for (let i = 0; i < LIMIT; i++) {
        expect(await isAdmitted(attempt('register', { ip: fresh().ip, username }, taken))).toBe(true);
      }
      expect(await isAdmitted(attempt('register', { ip: fresh().ip, username }))).toBe(false);
    });

    it('stores no username or IP, and purges only the counters whose window and block are over', async () => {
      await dataSource.query('DELETE FROM throttle_counters');
      const [live, blocked] = [fresh(), fresh()];
      await login(live, WRONG_PASSWORD);
      for (let i = 0; i < LIMIT; i++) {
        await login(blocked, WRONG_PASSWORD);
      }
      const keys = await dataSource.query<{ key: string }[]>('SELECT key FROM throttle_counters');
      expect(keys).toHaveLength(6); // (username, IP), IP and username of each
      expect(keys.every((row) => /^[0-9a-f]{64}$/.test(row.key))).toBe(true);
      // The blocked client's windows end; its (username, IP) counter stays blocked.
      await dataSource.query(
        `UPDATE throttle_counters SET window_ends_at = now() - interval '1 second' WHERE hits = $1`,
        [LIMIT],
      );

      expect(await services[0].purgeExpired()).toBe(2);

      expect(await rowCount()).toBe(4);
      expect(await isAdmitted(login(blocked))).toBe(false);
    });
  });
});
