import { DatabaseNotifications } from '@app/database';
import { Injectable } from '@nestjs/common';
import { BoundedCache } from '../bounded-cache';
import { Role, UserEntity } from './user.entity';

/** The channel on which a change to a user's authentication state is announced (payload: the id). */
export const USER_AUTH_CHANNEL = 'hourglass_user_auth';
const MAX_USERS = 10_000;

/** What authenticating a request needs to know about its user. */
export interface UserAuthState {
  id: number;
  username: string;
  role: Role;
  isActive: boolean;
  tokensValidAfter: Date | null;
}

/**
 * Per-process cache of users' authentication state, so neither an authenticated request nor the
 * verify of an access token costs a database round trip. Revocation stays immediate on every
 * replica: each change (revoke-all, password change, deactivation) sends a NOTIFY in its
 * transaction and every process evicts the user when it commits; while the LISTEN connection is
 * down the cache is bypassed entirely. The processes of the writer's own cluster evict it before
 * the change's response (`changed`).
 *
 * A generation counter closes the race where a read that began before a change commits would
 * store the old state after the eviction: a load only stores if no eviction happened meanwhile.
 */
@Injectable()
export class UserAuthCache {
  private readonly users = new BoundedCache<number, UserAuthState>(MAX_USERS);
  private generation = 0;
  private subscribed = false;

  constructor(private readonly notifications: DatabaseNotifications) {}

  /** The cached state of user `id`, else `load()`'s answer (stored when it is safe to). */
  async get(id: number, load: () => Promise<UserEntity | null>): Promise<UserAuthState | null> {
    // Subscribed on first use: only processes that authenticate requests (the API) open the
    // LISTEN connection; the CLI and the worker import the auth lib without needing one.
    this.subscribe();
    if (!this.notifications.isLive(USER_AUTH_CHANNEL)) {
      return stateOf(await load());
    }
    const hit = this.users.get(id);
    if (hit !== undefined) {
      return hit;
    }
    const generation = this.generation;
    const state = stateOf(await load());
    if (state !== null && generation === this.generation && this.notifications.isLive(USER_AUTH_CHANNEL)) {
      this.users.set(id, state);
    }
    return state;
  }

  /**
   * Announces a committed change of user `id`: this process evicts it now, and so do the other
   * processes of its cluster before this resolves (other replicas evict it when the NOTIFY comes).
   */
  changed(id: number): Promise<void> {
    return this.notifications.announce(USER_AUTH_CHANNEL, String(id));
  }

  private subscribe(): void {
    if (this.subscribed) {
      return;
    }
    this.subscribed = true;
    void this.notifications.subscribe(USER_AUTH_CHANNEL, {
      onNotification: (payload) => this.evict(Number(payload)),
      onGap: () => this.clear(),
    });
  }

  private evict(id: number): void {
    this.generation++;
    this.users.delete(id);
  }

  private clear(): void {
    this.generation++;
    this.users.clear();
  }
}

function stateOf(user: UserEntity | null): UserAuthState | null {
  return user === null
    ? null
    : {
        id: user.id,
        username: user.username,
        role: user.role,
        isActive: user.isActive,
        tokensValidAfter: user.tokensValidAfter,
      };
}
