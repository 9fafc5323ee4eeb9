import { createHash } from 'node:crypto';
import { AppConfig } from '@app/config';
import { Database } from '@app/database';
import { Injectable, Logger } from '@nestjs/common';
import { assertPoints } from '../accounts/ledger.service';
import {
  IdempotencyKeyReusedError,
  InsufficientPointsError,
  InvalidIdempotencyKeyError,
  TokenAlreadyUsedError,
  TokenExpiredError,
  TokenNotFoundError,
} from '../ledger.errors';
import { CreatedExchangeToken, ExchangeRequestView } from '../ledger.types';
import { ReleasedBatch } from '../sweep/expiry-sweep.repository';
import { ExpirySweeper } from '../sweep/expiry-sweeper.service';
import { LedgerMetrics } from '../sweep/ledger-metrics';
import { isExchangeTokenShape, newExchangeToken } from './exchange-token-format';
import { ExchangeTokensRepository } from './exchange-tokens.repository';
import { IdempotencyKeysRepository } from './idempotency-keys.repository';
import { QrCodeRenderer } from './qr-code.renderer';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/** How long a token creation's Idempotency-Key is remembered (Stripe's window). */
export const IDEMPOTENCY_KEY_RETENTION_MS = 24 * 3_600_000;

type CreateOutcome =
  | { kind: 'created'; response: CreatedExchangeToken; swept: ReleasedBatch }
  | { kind: 'short'; available: number; swept: ReleasedBatch }
  | { kind: 'replayed'; response: CreatedExchangeToken; now: Date };

/** Exchange tokens: points put on hold behind a QR code, redeemed by a vendor or released at expiry. */
@Injectable()
export class ExchangeTokensService {
  private readonly logger = new Logger(ExchangeTokensService.name);

  constructor(
    private readonly config: AppConfig,
    private readonly database: Database,
    private readonly tokens: ExchangeTokensRepository,
    private readonly keys: IdempotencyKeysRepository,
    private readonly sweeper: ExpirySweeper,
    private readonly qr: QrCodeRenderer,
    private readonly metrics: LedgerMetrics,
  ) {}

  /**
   * Holds `points` of the customer's balance behind a new token that expires EXCHANGE_TOKEN_TTL
   * from now (database clock). The user's expired tokens are released first, in the same
   * transaction, so their points count. With an `idempotencyKey`, a retry returns the first
   * answer and holds nothing more.
   */
  async create(userId: number, points: number, idempotencyKey?: string): Promise<CreatedExchangeToken> {
    assertPoints(points);
    if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
      throw new InvalidIdempotencyKeyError();
    }
    // Made before the transaction: the QR image costs CPU, not locks.
    const token = newExchangeToken();
    const qrCode = await this.qr.render(token);
    const fingerprint = createHash('sha256').update(JSON.stringify({ points })).digest('hex');
    const startedAt = new Date();
    const started = performance.now();
    const outcome = await this.database.transaction(async (manager): Promise<CreateOutcome> => {
      if (idempotencyKey !== undefined) {
        const claim = await this.keys.claim(manager, userId, idempotencyKey, fingerprint);
        if (claim.kind === 'existing') {
          if (claim.fingerprint !== fingerprint || claim.response === null) {
            throw new IdempotencyKeyReusedError();
          }
          return { kind: 'replayed', response: claim.response, now: claim.now };
        }
      }
      // The seed's "cleanup on creation": the user's expired tokens go back to the balance first,
      // in this same transaction, so their points count towards this token.
      const swept = await this.sweeper.releaseUserTokens(manager, userId);
      const held = await this.tokens.hold(manager, token, userId, points, this.config.EXCHANGE_TOKEN_TTL);
      if (held.kind === 'short') {
        // Commit the release (it stands on its own) but not the key: a retry may succeed later.
        if (idempotencyKey !== undefined) {
          await this.keys.forget(manager, userId, idempotencyKey);
        }
        return { kind: 'short', available: held.available, swept };
      }
      const response = {
        token,
        points,
        expiresAt: held.expiresAt.toISOString(),
        expiresInSeconds: secondsBetween(held.now, held.expiresAt),
        qrCode,
      };
      if (idempotencyKey !== undefined) {
        await this.keys.saveResponse(manager, userId, idempotencyKey, response);
      }
      return { kind: 'created', response, swept };
    });
    if (outcome.kind === 'replayed') {
      // The first answer, with the time left counted from now.
      return {
        ...outcome.response,
        expiresInSeconds: secondsBetween(outcome.now, new Date(outcome.response.expiresAt)),
      };
    }
    if (outcome.swept.users.length > 0) {
      await this.sweeper.reportRelease('create', outcome.swept, startedAt, performance.now() - started);
    }
    if (outcome.kind === 'short') {
      throw new InsufficientPointsError(outcome.available, points);
    }
    this.metrics.tokenCreated();
    return outcome.response;
  }

  /** Forgets the Idempotency-Keys older than IDEMPOTENCY_KEY_RETENTION_MS (hourly cron); returns how many. */
  purgeExpiredIdempotencyKeys(): Promise<number> {
    return this.database.transaction((manager) => this.keys.purgeOlderThan(manager, IDEMPOTENCY_KEY_RETENTION_MS));
  }

  /**
   * A vendor scans a token. One locked read decides with the database clock: active and unexpired
   * → captured and an exchange request recorded; expired → released now (410 with the points
   * restored); used → 409; unknown → 404. A token the sweep already released still answers 410.
   */
  async validate(vendorId: number, token: unknown): Promise<ExchangeRequestView> {
    if (!isExchangeTokenShape(token)) {
      throw new TokenNotFoundError();
    }
    const startedAt = new Date();
    const started = performance.now();
    const outcome = await this.database.transaction(async (manager) => {
      const row = await this.tokens.lockForValidation(manager, token);
      if (row === undefined) {
        const released = await this.tokens.releasedPoints(manager, token);
        return released === undefined
          ? ({ kind: 'not_found' } as const)
          : ({ kind: 'already_released', points: released } as const);
      }
      if (row.status === 'used') {
        return { kind: 'used' } as const;
      }
      if (row.expired) {
        return {
          kind: 'released',
          points: row.points,
          batch: await this.sweeper.releaseLockedToken(manager, token),
        } as const;
      }
      return {
        kind: 'captured',
        request: await this.tokens.capture(manager, token, row.userId, vendorId, row.points),
      } as const;
    });
    switch (outcome.kind) {
      case 'captured':
        this.metrics.tokenRedeemed();
        this.logger.log(
          `Token redeemed by ${outcome.request.vendor}: ${outcome.request.points} points of ${outcome.request.customer}`,
        );
        return outcome.request;
      case 'released':
        await this.sweeper.reportRelease('validate', outcome.batch, startedAt, performance.now() - started);
        throw new TokenExpiredError(outcome.points);
      case 'already_released':
        throw new TokenExpiredError(outcome.points);
      case 'used':
        throw new TokenAlreadyUsedError();
      case 'not_found':
        throw new TokenNotFoundError();
    }
  }
}

function secondsBetween(from: Date, to: Date): number {
  return Math.max(0, Math.ceil((to.getTime() - from.getTime()) / 1000));
}
