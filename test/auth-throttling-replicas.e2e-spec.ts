import { AppProcess, TestStack, createTestStack, stackTargets } from '@app/testing';
import { FreshResponse, call } from './support/fresh-connection';

// Issue 13: two API replicas, built processes of their own (`npm run build`), on one PostgreSQL
// database: the credential throttle's counters are theirs in common, and outlive them.

const LIMIT = 4;
const PASSWORD = 'correct-horse-battery';

const withServers = stackTargets().includes('servers');

(withServers ? describe : describe.skip)('the credential throttle across two API replicas', () => {
  let stack: TestStack;
  let env: Record<string, string>;
  let replicas: { process: AppProcess; port: number }[] = [];

  async function startReplica(): Promise<{ process: AppProcess; port: number }> {
    const process = AppProcess.start('api', { ...env, API_WORKERS: '1', PORT: '0', LOG_LEVEL: 'warn' });
    const port = Number((await process.waitFor(/listening on http:\/\/localhost:(\d+)/, 90_000))[1]);
    return { process, port };
  }

  /** A login on replica `i` (round robin when `i` is a request's index). */
  const login = (i: number, ip: string, username: string, password = 'wrong-password'): Promise<FreshResponse> =>
    call(replicas[i % replicas.length].port, 'POST', '/api/token/', {
      body: { username, password },
      headers: { 'x-forwarded-for': ip },
    });
  const statuses = (responses: FreshResponse[]) => responses.map((response) => response.status);

  beforeAll(async () => {
    stack = await createTestStack('servers');
    env = {
      ...stack.env,
      JWT_SIGNING_KEY: 'replicas-e2e-signing-key-0123456789-0123456789',
      AUTH_THROTTLE_LIMIT: String(LIMIT),
      AUTH_THROTTLE_USERNAME_LIMIT: String(2 * LIMIT),
      AUTH_THROTTLE_TTL: '1m',
    };
    replicas = [await startReplica()];
    replicas.push(await startReplica()); // after the first: it migrated
    for (const [i, username] of ['mia', 'noah', 'olga', 'piet'].entries()) {
      const registered = await call(replicas[i % 2].port, 'POST', '/api/users/register/', {
        body: { username, email: `${username}@example.com`, password: PASSWORD },
        headers: { 'x-forwarded-for': `192.0.2.${i + 1}` },
      });
      expect(registered.status).toBe(201);
    }
  }, 180_000);

  afterAll(async () => {
    await Promise.all(replicas.map((replica) => replica.process.stop()));
    await stack?.cleanup();
  });

  it('counts no successful login on either replica', async () => {
    const logins: FreshResponse[] = [];
    for (let i = 0; i < 4 * LIMIT; i++) {
      logins.push(await login(i, '203.0.113.1', 'mia', PASSWORD));
    }
    expect(statuses(logins)).toEqual(Array<number>(4 * LIMIT).fill(200));
  });

  it('lets exactly the limit of failures through the two replicas together, one by one and in a burst', async () => {
    const sequential: FreshResponse[] = [];
    for (let i = 0; i < 3 * LIMIT; i++) {
      sequential.push(await login(i, '203.0.113.2', 'noah'));
    }
    expect(statuses(sequential)).toEqual([...Array<number>(LIMIT).fill(401), ...Array<number>(2 * LIMIT).fill(429)]);

    const burst = await Promise.all(Array.from({ length: 6 * LIMIT }, (_, i) => login(i, '203.0.113.3', 'noah')));
    expect(statuses(burst).filter((status) => status === 401)).toHaveLength(LIMIT);
    expect(statuses(burst).filter((status) => status === 429)).toHaveLength(5 * LIMIT);
    // The owner, from an IP that has not failed, on either replica.
    expect((await login(0, '203.0.113.4', 'noah', PASSWORD)).status).toBe(200);
    expect((await login(1, '203.0.113.4', 'noah', PASSWORD)).status).toBe(200);
  });

  it('puts a username under attack for both replicas, never refusing its owner', async () => {
    const attack = await Promise.all(
      Array.from({ length: 4 * LIMIT }, (_, i) => login(i, `198.51.100.${i + 1}`, 'olga')),
    );
    expect(statuses(attack)).toEqual(Array<number>(4 * LIMIT).fill(401));
    for (let i = 0; i < 4; i++) {
      expect((await login(i, '198.51.100.1', 'olga', PASSWORD)).status).toBe(429);
      expect((await login(i, '203.0.113.5', 'olga', PASSWORD)).status).toBe(200);
    }
  });

  it('forgets nothing when the replicas restart', async () => {
    for (let i = 0; i < LIMIT; i++) {
      expect((await login(i, '203.0.113.6', 'piet')).status).toBe(401);
    }
    await Promise.all(replicas.map((replica) => replica.process.stop()));
    replicas = [await startReplica()];
    const refused = await login(0, '203.0.113.6', 'piet', PASSWORD);
    expect(refused.status).toBe(429);
    expect(refused.body).toEqual({
      detail: expect.stringMatching(/^Request was throttled\. Expected available in \d+ seconds\.$/) as string,
      code: 'throttled',
    });
    // The failures of the blocked pair from before the restart, and the attack on `olga`, still count.
    expect((await login(0, '198.51.100.2', 'olga', PASSWORD)).status).toBe(429);
    expect((await login(0, '203.0.113.7', 'piet', PASSWORD)).status).toBe(200);
  });
});
