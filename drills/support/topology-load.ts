import { setTimeout as sleep } from 'node:timers/promises';
import { FakeVintedServer } from '@app/testing';
import { Cluster } from './cluster';
import { HttpResult } from './http';

/** A signed-in account. */
export interface Account {
  username: string;
  access: string;
}

const randomInt = (below: number) => Math.floor(Math.random() * below);
const pick = <T>(items: T[]): T => items[randomInt(items.length)];

function describeAnswer(what: string, result: HttpResult): string {
  return `${what} on ${result.replica}: ${result.status} ${JSON.stringify(result.body)?.slice(0, 200)}`;
}

/** Logs `username` in on a random replica (`POST /api/token/`). */
export async function signIn(cluster: Cluster, username: string, password: string): Promise<Account> {
  const result = await cluster.anyApi().http.post('/api/token/', { username, password });
  if (result.status !== 200 || typeof result.body?.access !== 'string') {
    throw new Error(describeAnswer(`login of ${username}`, result));
  }
  return { username, access: result.body.access as string };
}

/**
 * Customers turn points into exchange tokens; about half are redeemed at once by a vendor (some
 * scanned twice: 409), a fifth are scanned after their expiry (410 with the points restored), the
 * rest expire and are left to the sweep. Every answer that is not the one the contract promises
 * is kept in `unexpected`.
 */
export class LedgerLoad {
  readonly tally = {
    created: 0,
    createdPoints: 0,
    captured: 0,
    capturedPoints: 0,
    rescanned: 0,
    lateScans: 0,
    leftToExpire: 0,
  };
  readonly unexpected: string[] = [];
  private readonly pending: Promise<void>[] = [];

  constructor(
    private readonly cluster: Cluster,
    private readonly customers: Account[],
    private readonly vendors: Account[],
    private readonly tokenTtlMs: number,
  ) {}

  async run(deadline: number): Promise<void> {
    await Promise.all(this.customers.map((customer) => this.customerLoop(customer, deadline)));
    await Promise.all(this.pending);
  }

  private async customerLoop(customer: Account, deadline: number): Promise<void> {
    while (Date.now() < deadline) {
      const points = 1 + randomInt(20);
      const created = await this.cluster.anyApi().http.post('/api/exchange-tokens/', { points }, customer.access);
      if (created.status === 201 && typeof created.body?.token === 'string' && created.body.points === points) {
        this.tally.created += 1;
        this.tally.createdPoints += points;
        const fate = Math.random();
        if (fate < 0.5) {
          this.pending.push(this.scanNow(created.body.token as string, points));
        } else if (fate < 0.7) {
          this.pending.push(this.scanLate(created.body.token as string, points));
        } else {
          this.tally.leftToExpire += 1;
        }
      } else {
        this.unexpected.push(describeAnswer('token creation', created));
      }
      await sleep(100 + randomInt(300));
    }
  }

  private async scanNow(token: string, points: number): Promise<void> {
    const vendor = pick(this.vendors);
    const result = await this.cluster.anyApi().http.post('/api/exchange-tokens/validate/', { token }, vendor.access);
    if (
      result.status !== 201 ||
      result.body?.exchangeRequest?.points !== points ||
      result.body.exchangeRequest.vendor !== vendor.username
    ) {
      this.unexpected.push(describeAnswer('validation of a live token', result));
      return;
    }
    this.tally.captured += 1;
    this.tally.capturedPoints += points;
    if (Math.random() < 0.2) {
      // The same QR scanned again, maybe by the other vendor, on either replica.
      const again = await this.cluster
        .anyApi()
        .http.post('/api/exchange-tokens/validate/', { token }, pick(this.vendors).access);
      this.tally.rescanned += 1;
      if (again.status !== 409 || again.body?.code !== 'token_already_used') {
        this.unexpected.push(describeAnswer('second validation', again));
      }
    }
  }

  private async scanLate(token: string, points: number): Promise<void> {
    // After the expiry: either this scan releases it, or the sweep did first; both answer 410.
    await sleep(this.tokenTtlMs + 250 + randomInt(2_500));
    const result = await this.cluster
      .anyApi()
      .http.post('/api/exchange-tokens/validate/', { token }, pick(this.vendors).access);
    this.tally.lateScans += 1;
    if (result.status !== 410 || result.body?.code !== 'token_expired' || result.body.pointsRestored !== points) {
      this.unexpected.push(describeAnswer('validation of an expired token', result));
    }
  }
}

/** How one number's validation ended, as the API shows it. */
export interface NumberOutcome {
  id: number;
  phoneNumber: string;
  scanned: boolean;
  status: string;
  workerId: string | null;
  lastError: string | null;
  scans: number;
}

/**
 * WhatsApp validations started one after another during the load: for every other number the
 * admin simulates a scan as soon as a QR shows (→ `connected`); the others are left alone until
 * the worker gives up (→ `failed`). Statuses are polled on random replicas.
 */
export class WhatsappLoad {
  readonly outcomes: NumberOutcome[] = [];
  readonly unexpected: string[] = [];

  constructor(
    private readonly cluster: Cluster,
    private readonly owners: Account[],
    private readonly admin: Account,
  ) {}

  async run(count: number, spacingMs: number, flowTimeoutMs: number): Promise<void> {
    await Promise.all(
      Array.from({ length: count }, async (_, index) => {
        await sleep(index * spacingMs);
        await this.flow(index, index % 2 === 0, flowTimeoutMs);
      }),
    );
  }

  private async flow(index: number, scan: boolean, timeoutMs: number): Promise<void> {
    const owner = this.owners[index % this.owners.length];
    const phoneNumber = `+2217700${String(index).padStart(5, '0')}`;
    const created = await this.cluster.anyApi().http.post('/api/whatsapp/numbers/', { phoneNumber }, owner.access);
    if (created.status !== 201 || typeof created.body?.id !== 'number') {
      this.unexpected.push(describeAnswer(`registration of ${phoneNumber}`, created));
      return;
    }
    const id = created.body.id as number;
    const validate = await this.cluster
      .anyApi()
      .http.post(`/api/whatsapp/numbers/${id}/validate/`, undefined, owner.access);
    if (validate.status !== 202) {
      this.unexpected.push(describeAnswer(`validation of number ${id}`, validate));
      return;
    }
    const outcome: NumberOutcome = {
      id,
      phoneNumber,
      scanned: scan,
      status: 'pending',
      workerId: null,
      lastError: null,
      scans: 0,
    };
    this.outcomes.push(outcome);
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const state = await this.cluster.anyApi().http.get(`/api/whatsapp/numbers/${id}/`, owner.access);
      if (state.status !== 200) {
        this.unexpected.push(describeAnswer(`status of number ${id}`, state));
      } else {
        Object.assign(outcome, {
          status: state.body.status,
          workerId: state.body.workerId,
          lastError: state.body.lastError,
        });
      }
      if (outcome.status === 'connected' || outcome.status === 'failed') {
        return;
      }
      if (scan && outcome.status === 'qr_ready') {
        const scanned = await this.cluster
          .anyApi()
          .http.post(`/api/whatsapp/numbers/${id}/simulate-scan/`, undefined, this.admin.access);
        outcome.scans += 1;
        if (scanned.status !== 202) {
          this.unexpected.push(describeAnswer(`simulated scan of number ${id}`, scanned));
        }
        await sleep(300); // let the `connected` event reach the database before scanning again
      }
      await sleep(100);
    }
  }
}

/**
 * Users with stored Vinted sessions read their access token in bursts on both replicas. The fake's
 * tokens are due for a refresh a few seconds after each refresh, so refreshes race all the time:
 * only the single-flight lease keeps one refresh per session in flight.
 */
export class VintedLoad {
  reads = 0;
  readonly unexpected: string[] = [];

  constructor(
    private readonly cluster: Cluster,
    private readonly fake: FakeVintedServer,
    private readonly users: Account[],
  ) {}

  /** Stores each user's browser cookies (an access token already due for a refresh). */
  async store(): Promise<void> {
    for (const user of this.users) {
      const cookies = await this.fake.issueSession(user.username, { accessSeconds: 60 });
      const stored = await this.cluster.anyApi().http.post('/api/v1/vinted/auth', { cookies }, user.access);
      if (stored.status !== 201 || stored.body?.status !== 'active') {
        throw new Error(describeAnswer(`storing the Vinted session of ${user.username}`, stored));
      }
    }
  }

  async run(deadline: number): Promise<void> {
    await Promise.all(this.users.map((user) => this.userLoop(user, deadline)));
  }

  /** `GET /api/v1/vinted/auth` of every user. */
  async statuses(): Promise<string[]> {
    return Promise.all(
      this.users.map(
        async (user) =>
          (await this.cluster.anyApi().http.get('/api/v1/vinted/auth', user.access)).body?.status as string,
      ),
    );
  }

  private async userLoop(user: Account, deadline: number): Promise<void> {
    while (Date.now() < deadline) {
      await Promise.all(
        Array.from({ length: 3 }, async () => {
          const result = await this.cluster.anyApi().http.get('/api/v1/market-analysis/token', user.access);
          this.reads += 1;
          if (result.status !== 200 || typeof result.body?.accessToken !== 'string') {
            this.unexpected.push(describeAnswer(`market-analysis token of ${user.username}`, result));
          }
        }),
      );
      await sleep(300 + randomInt(400));
    }
  }
}
