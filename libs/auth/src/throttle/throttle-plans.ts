import { createHash } from 'node:crypto';
import { InvalidCredentialsError, NoActiveAccountError, TokenRejectedError, UserInputError } from '../auth.errors';

/** The credential endpoints the throttle guards. */
export type ThrottledAction = 'obtain' | 'refresh' | 'register' | 'password_change';

/** Who makes an attempt: the client IP always; the submitted username (obtain, register); the user (password change). */
export interface AttemptSubject {
  ip: string;
  username?: string;
  userId?: number;
}

/** The limits, from the AUTH_THROTTLE_* variables. */
export interface ThrottleLimits {
  /** AUTH_THROTTLE_LIMIT: the strict limit (per username and IP, per user, per IP on refresh and register). */
  strict: number;
  /** AUTH_THROTTLE_USERNAME_LIMIT: failed logins of a username, all IPs together, before it is under attack. */
  username: number;
  /** AUTH_THROTTLE_IP_LIMIT: failures of one IP across usernames (obtain) or users (password change). */
  ip: number;
}

/** One counter an attempt hits: `name` says what it counts, in logs. */
export interface Counter {
  name: 'username+ip' | 'ip' | 'username' | 'user';
  key: string;
  limit: number;
}

/** How one attempt is counted. */
export interface ThrottlePlan {
  action: ThrottledAction;
  /** Counters that refuse the attempt once they hold `limit` hits, checked in this order. */
  strict: Counter[];
  /**
   * A username's failures from every IP. It never refuses by itself: past its limit the username is
   * under attack, and then `client` (one of `strict`) must hold no hit yet, i.e. this client has
   * not failed for the username in its window (nor has an attempt in flight).
   */
  underAttack?: { counter: Counter; client: Counter };
  /** Counters a success forgets (the client proved its credentials); the others get their hit back. */
  resetOnSuccess: Counter[];
  /** Whether an attempt's outcome (`undefined`: it succeeded) keeps its hits. */
  counts(error: unknown): boolean;
}

/**
 * A counter's row key: a hash, so that a key's size is fixed and no username or IP is stored. The
 * parts are JSON-encoded so that no username can pose as another counter's parts.
 */
function counter(
  name: Counter['name'],
  limit: number,
  action: ThrottledAction,
  ...parts: (string | number)[]
): Counter {
  const key = createHash('sha256')
    .update(JSON.stringify([action, name, ...parts]))
    .digest('hex');
  return { name, key, limit };
}

/**
 * The throttling policy (README, *Throttling*), one plan per attempt; `undefined` when there is
 * nothing to count (an obtain without a username checks no credentials: validation refuses it).
 * - obtain: failures per (username, IP), strict; per IP across usernames, strict at the higher
 *   IP limit; per username from everywhere, which only slows attackers (see `underAttack`). A
 *   success forgets the (username, IP) failures and counts nothing.
 * - refresh: failures (a refused token) per IP; a legitimate client refreshes often.
 * - password change: wrong current passwords per user (whatever the IP) and per IP across users.
 * - register: every attempt, per IP and per username: registering has no failure to tell apart,
 *   and each success creates an account.
 * Attempts that check nothing (invalid input, a server error) give their hits back.
 */
export function throttlePlan(
  action: ThrottledAction,
  subject: AttemptSubject,
  limits: ThrottleLimits,
): ThrottlePlan | undefined {
  const { ip, username, userId } = subject;
  switch (action) {
    case 'obtain': {
      if (username === undefined) {
        return undefined;
      }
      const pair = counter('username+ip', limits.strict, action, username, ip);
      return {
        action,
        strict: [pair, counter('ip', limits.ip, action, ip)],
        underAttack: { counter: counter('username', limits.username, action, username), client: pair },
        resetOnSuccess: [pair],
        counts: (error) => error instanceof InvalidCredentialsError,
      };
    }
    case 'refresh':
      return {
        action,
        strict: [counter('ip', limits.strict, action, ip)],
        resetOnSuccess: [],
        counts: (error) => error instanceof TokenRejectedError || error instanceof NoActiveAccountError,
      };
    case 'password_change': {
      if (userId === undefined) {
        return undefined;
      }
      const user = counter('user', limits.strict, action, userId);
      return {
        action,
        strict: [user, counter('ip', limits.ip, action, ip)],
        resetOnSuccess: [user],
        counts: (error) => error instanceof UserInputError && error.errors.old_password !== undefined,
      };
    }
    case 'register':
      return {
        action,
        strict: [
          counter('ip', limits.strict, action, ip),
          ...(username === undefined ? [] : [counter('username', limits.strict, action, username)]),
        ],
        resetOnSuccess: [],
        counts: () => true,
      };
  }
}
