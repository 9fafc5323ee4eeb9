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
import { ExpirySweeper } from '../sweep/expiry-sweeper.service';
import { LedgerMetrics } from '../sweep/ledger-metrics';
import { isExchangeTokenShape, newExchangeToken } from './exchange-token-format';
import { ExchangeTokensRepository } from './exchange-tokens.repository';
import { IdempotencyKeysRepository, RememberedKey } from './idempotency-keys.repository';
import { QrCodeRenderer } from './qr-code.renderer';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/** How long a token creation's Idempotency-Key is remembered (Stripe's window). */
export const IDEMPOTENCY_KEY_RETENTION_MS = 24 * 3_600_000;
/** A user's own backlog released on creation; anything beyond waits for the next sweep. */
const USER_RELEASE_LIMIT = 10_000;
/** Statements a creation may try when concurrent requests with its key keep winning (one in practice). */
const KEY_ATTEMPTS = 3;

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
   * from now (database clock), in one statement. The user's expired tokens are released first, in
   * that statement, so their points count. With an `idempotencyKey`, a retry returns the first
   * answer and holds nothing more.
   */
  async create(userId: number, points: number, idempotencyKey?: string): Promise<CreatedExchangeToken> {
    assertPoints(points);
    if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
      throw new InvalidIdempotencyKeyError();
    }
    const fingerprint =
      idempotencyKey === undefined ? undefined : createHash('sha256').update(JSON.stringify({ points })).digest('hex');
    const startedAt = new Date();
    const started = performance.now();
    for (let attempt = 1; ; attempt++) {
      const token = newExchangeToken();
      const outcome = this.tokens.create({
        token,
        userId,
        points,
        ttlMs: this.config.EXCHANGE_TOKEN_TTL,
        releaseLimit: USER_RELEASE_LIMIT,
        idempotencyKey,
        fingerprint,
      });
      // The image needs only the token: it is drawn while the statement runs (the statement is
      // sent first, as this tick ends), and never while a row is locked.
      const qrCode = new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.qr.dataUrl(token));
      qrCode.catch(() => undefined); // awaited below when the token is created; unused otherwise
      const result = await outcome;
      if (result.kind !== 'remembered' && result.kind !== 'key_taken' && result.released.length > 0) {
        await this.sweeper.reportRelease('create', result.released, startedAt, performance.now() - started);
      }
      switch (result.kind) {
        case 'created':
          this.metrics.tokenCreated();
          return {
            token,
            points,
            expiresAt: result.expiresAt,
            expiresInSeconds: result.expiresInSeconds,
            qrCode: await qrCode,
          };
        case 'remembered':
          return this.replay(result, fingerprint);
        case 'short': {
          // Short because a concurrent request with the same key took the points first? Then its answer is ours.
          const remembered =
            idempotencyKey === undefined ? undefined : await this.keys.remembered(userId, idempotencyKey);
          if (remembered !== undefined) {
            return this.replay(remembered, fingerprint);
          }
          throw new InsufficientPointsError(result.available, points);
        }
        case 'key_taken': {
          // A concurrent request with this key committed first; this statement changed nothing.
          const remembered = await this.keys.remembered(userId, idempotencyKey as string);
          if (remembered !== undefined) {
            return this.replay(remembered, fingerprint);
          }
          if (attempt >= KEY_ATTEMPTS) {
            throw new Error('The Idempotency-Key was taken and then forgotten, repeatedly');
          }
        }
      }
    }
  }

  /** Forgets the Idempotency-Keys older than IDEMPOTENCY_KEY_RETENTION_MS (hourly cron); returns how many. */
  purgeExpiredIdempotencyKeys(): Promise<number> {
    return this.database.transaction((manager) => this.keys.purgeOlderThan(manager, IDEMPOTENCY_KEY_RETENTION_MS));
  }

  /**
   * A vendor scans a token. One statement locks it and decides with the database clock: active and
   * unexpired → captured and an exchange request recorded; expired → released now (410 with the
   * points restored); used → 409; unknown → 404. A token the sweep already released still answers 410.
   */
  async validate(vendorId: number, token: unknown): Promise<ExchangeRequestView> {
    if (!isExchangeTokenShape(token)) {
      throw new TokenNotFoundError();
    }
    const startedAt = new Date();
    const started = performance.now();
    const outcome = await this.tokens.validate(token, vendorId);
    switch (outcome.kind) {
      case 'captured':
        this.metrics.tokenRedeemed();
        this.logger.log(
          `Token redeemed by ${outcome.request.vendor}: ${outcome.request.points} points of ${outcome.request.customer}`,
        );
        return outcome.request;
      case 'released':
        await this.sweeper.reportRelease('validate', outcome.released, startedAt, performance.now() - started);
        throw new TokenExpiredError(outcome.points);
      case 'used':
        throw new TokenAlreadyUsedError();
      case 'absent': {
        // Unknown, or released by a sweep (possibly while the statement waited for the row): a
        // statement of its own sees that release.
        const released = await this.tokens.releasedPoints(token);
        throw released === undefined ? new TokenNotFoundError() : new TokenExpiredError(released);
      }
    }
  }

  /** The first answer to a key, with the time left counted from now, if the request is the same. */
  private replay(key: RememberedKey, fingerprint: string | undefined): CreatedExchangeToken {
    if (key.fingerprint !== fingerprint || key.response === null) {
      throw new IdempotencyKeyReusedError();
    }
    const { token, points, expiresAt, qrCode } = key.response;
    return {
      token,
      points,
      expiresAt,
      expiresInSeconds: secondsBetween(key.now, new Date(expiresAt)),
      qrCode: qrCode ?? this.qr.dataUrl(token),
    };
  }
}

function secondsBetween(from: Date, to: Date): number {
  return Math.max(0, Math.ceil((to.getTime() - from.getTime()) / 1000));
}
