import { AppConfig } from '@app/config';
import { Injectable, Logger } from '@nestjs/common';
import { CounterHit, ThrottleCountersRepository } from './throttle-counters.repository';
import { AttemptSubject, Counter, ThrottlePlan, ThrottledAction, throttlePlan } from './throttle-plans';

/** An admitted attempt: tell it how it ended, once, before answering. */
export interface CredentialAttempt {
  /**
   * `error` undefined: the credentials were right. A failure (wrong password, refused token…)
   * keeps its hits; a success or an attempt that checked nothing gives them back. Never throws:
   * the answer does not depend on the bookkeeping.
   */
  finish(error?: unknown): Promise<void>;
}

export type AttemptAdmission =
  { admitted: true; attempt: CredentialAttempt } | { admitted: false; retryAfterSeconds: number };

const UNCOUNTED: CredentialAttempt = { finish: () => Promise.resolve() };

/**
 * The credential throttle (README, *Throttling*): counts failed attempts, not requests, in counters
 * that every API process and replica share in the database. An attempt reserves its hits before
 * its credentials are checked — an atomic hit that refuses once a counter is full — so however many
 * processes take a burst, exactly the limit is let through; `finish` then keeps the hits of a
 * failure (blocking a counter that is full for AUTH_THROTTLE_TTL) and refunds the others.
 */
@Injectable()
export class CredentialThrottleService {
  private readonly logger = new Logger('AuthSecurity');

  constructor(
    private readonly config: AppConfig,
    private readonly counters: ThrottleCountersRepository,
  ) {}

  /** Admits one attempt at `action` (and holds its hits) or says how long until one is admitted. */
  async begin(action: ThrottledAction, subject: AttemptSubject): Promise<AttemptAdmission> {
    const plan = throttlePlan(action, subject, {
      strict: this.config.AUTH_THROTTLE_LIMIT,
      username: this.config.authThrottleUsernameLimit,
      ip: this.config.authThrottleIpLimit,
    });
    if (plan === undefined) {
      return { admitted: true, attempt: UNCOUNTED };
    }
    const ttlMs = this.config.AUTH_THROTTLE_TTL;
    const held: HeldHit[] = [];
    for (const counter of plan.strict) {
      const hit = await this.counters.hit(counter.key, counter.limit, ttlMs, true);
      if (hit === undefined) {
        await this.counters.refund(held.map((each) => each.hit));
        // Not blocked yet: full of attempts still in flight, which end in moments (and block the
        // counter for AUTH_THROTTLE_TTL if they fail).
        const seconds = (await this.counters.secondsToUnblock(counter.key, ttlMs)) ?? 1;
        return { admitted: false, retryAfterSeconds: seconds };
      }
      held.push({ counter, hit });
    }
    if (plan.underAttack !== undefined) {
      const { counter, client } = plan.underAttack;
      const hit = await this.counters.hit(counter.key, counter.limit, ttlMs, false);
      if (hit === undefined) {
        throw new Error('A counter that does not refuse answered no hit');
      }
      held.push({ counter, hit });
      const clientHit = held.find((each) => each.counter === client)?.hit;
      if (hit.over && clientHit !== undefined && clientHit.hits > 1) {
        // This client failed for a username under attack: it waits until its own failures age out.
        await this.counters.refund(held.map((each) => each.hit));
        return { admitted: false, retryAfterSeconds: Math.max(1, clientHit.windowEndsIn) };
      }
    }
    return { admitted: true, attempt: { finish: (error) => this.finish(plan, subject, held, error) } };
  }

  /** Deletes the counters whose window and block are over; returns how many. */
  purgeExpired(): Promise<number> {
    return this.counters.purgeExpired();
  }

  private async finish(plan: ThrottlePlan, subject: AttemptSubject, held: HeldHit[], error: unknown) {
    try {
      if (plan.counts(error)) {
        const settled = held.map(({ counter, hit }) => ({ key: hit.key, window: hit.window, limit: counter.limit }));
        const filled = new Set(await this.counters.blockFull(settled, this.config.AUTH_THROTTLE_TTL));
        held
          .filter(({ counter }) => filled.has(counter.key))
          .forEach(({ counter }) => this.logBlocked(plan, subject, counter));
      } else if (error === undefined) {
        const forgotten = plan.resetOnSuccess.map((counter) => counter.key);
        await this.counters.reset(forgotten);
        await this.counters.refund(
          held.filter(({ counter }) => !forgotten.includes(counter.key)).map((each) => each.hit),
        );
      } else {
        await this.counters.refund(held.map((each) => each.hit));
      }
    } catch (bookkeeping) {
      this.logger.warn(
        { err: bookkeeping, action: plan.action },
        'Could not settle a throttled credential attempt: its hits stay until their window ends',
      );
    }
  }

  private logBlocked(plan: ThrottlePlan, subject: AttemptSubject, counter: Counter): void {
    const who = counter.name === 'ip' ? { ip: subject.ip } : { ...subject };
    const message =
      counter.name === 'username'
        ? 'Username under attack: clients that failed for it are refused until their failures age out'
        : 'Too many failed credential attempts: refused for AUTH_THROTTLE_TTL';
    this.logger.warn(
      { event: 'credential_throttle', action: plan.action, counter: counter.name, limit: counter.limit, ...who },
      message,
    );
  }
}

/** A hit an admitted attempt holds, and the counter it is on. */
interface HeldHit {
  counter: Counter;
  hit: CounterHit;
}
