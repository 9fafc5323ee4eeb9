import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { StreamTicketRejectedError, UserNotFoundError } from '../auth.errors';
import { AuthenticatedUser } from '../users/user.entity';
import { UserAuthCache } from '../users/user-auth-cache';
import { UsersRepository } from '../users/users.repository';
import { StreamTicketsRepository } from './stream-tickets.repository';

/** How long a ticket may wait before it opens its stream: long enough for a page to open it, short enough to be worthless once leaked. */
export const STREAM_TICKET_TTL_MS = 60_000;

/** 32 random bytes, base64url: what `issue` hands out, checked before any database round trip. */
const TICKET_FORM = /^[A-Za-z0-9_-]{43}$/;

/** A ticket as handed out; `expiresInSeconds` counts from its issue. */
export interface IssuedStreamTicket {
  ticket: string;
  expiresInSeconds: number;
}

/**
 * Stream tickets: the way into a Server-Sent Events stream for a client that cannot send an
 * `Authorization` header (a browser's `EventSource`). An authenticated user asks for a ticket for
 * one stream (a name the caller builds, e.g. `whatsapp.numbers.6.events`) after the stream's own
 * access check; the stream then accepts `?ticket=…` instead of a Bearer token.
 *
 * A ticket is random (256 bits), stored only as its SHA-256, opens one stream once (any
 * presentation consumes it, even for another stream), expires after STREAM_TICKET_TTL_MS on the
 * database clock, and dies with its user's tokens (revoke-all, password change, deactivation).
 * It is a credential: never log it.
 */
@Injectable()
export class StreamTicketsService {
  constructor(
    private readonly tickets: StreamTicketsRepository,
    private readonly users: UsersRepository,
    private readonly authCache: UserAuthCache,
  ) {}

  /** A ticket that opens `stream` as `user`. The caller has checked that `user` may read that stream. */
  async issue(user: AuthenticatedUser, stream: string): Promise<IssuedStreamTicket> {
    const ticket = randomBytes(32).toString('base64url');
    if (!(await this.tickets.insert(hashOf(ticket), user.id, stream, STREAM_TICKET_TTL_MS))) {
      throw new UserNotFoundError();
    }
    return { ticket, expiresInSeconds: STREAM_TICKET_TTL_MS / 1000 };
  }

  /**
   * Consumes `ticket` and returns the user it was issued to, as the user is now (role included);
   * throws `StreamTicketRejectedError` for an unknown, used, expired or revoked ticket, or one
   * issued for another stream.
   */
  async redeem(ticket: string, stream: string): Promise<AuthenticatedUser> {
    const taken = TICKET_FORM.test(ticket) ? await this.tickets.take(hashOf(ticket)) : undefined;
    if (taken === undefined || !taken.live || taken.stream !== stream) {
      throw new StreamTicketRejectedError();
    }
    const user = await this.authCache.get(taken.userId, () => this.users.findById(taken.userId));
    if (
      user === null ||
      !user.isActive ||
      (user.tokensValidAfter !== null && taken.issuedAt.getTime() < user.tokensValidAfter.getTime())
    ) {
      throw new StreamTicketRejectedError();
    }
    return { id: user.id, username: user.username, role: user.role };
  }

  /** Deletes the expired tickets nobody presented (the `stream-tickets-purge` job). */
  purgeExpired(): Promise<number> {
    return this.tickets.purgeExpired();
  }
}

function hashOf(ticket: string): Buffer {
  return createHash('sha256').update(ticket).digest();
}
