import { randomUUID } from 'node:crypto';
import { AppConfig } from '@app/config';
import { toCloudEvent } from '@app/events';
import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { retryDelayMs } from './webhook-retry';
import { WebhookSecretCipher } from './webhook-secret';
import { SendOutcome, WebhookSender } from './webhook-sender';
import { webhookAttempts } from './webhooks-metrics';
import { ClaimedDelivery, WebhooksRepository } from './webhooks.repository';

/** Requests one process has in flight at most, all subscriptions together. */
const PROCESS_IN_FLIGHT = 64;
/** A claim's lease outlasts the request timeout by this much, for the outcome to be written. */
const LEASE_MARGIN_MS = 15_000;

/**
 * Sends due webhook deliveries. `dispatch()` claims what is due and returns at once: the requests
 * run in the background, each bounded by WEBHOOK_TIMEOUT, at most WEBHOOK_SUBSCRIPTION_CONCURRENCY
 * per subscription (cluster-wide, counted from the claims' leases) and PROCESS_IN_FLIGHT per
 * process. So a target that hangs holds only its own subscription's slots: other subscriptions,
 * the outbox relay and API requests never wait for it. Each outcome is recorded against the
 * claim's lease: delivered on a 2xx, else retried with exponential backoff and jitter until
 * WEBHOOK_RETRY_WINDOW after the first attempt, then `failed`.
 */
@Injectable()
export class WebhookDeliveryService implements BeforeApplicationShutdown {
  private readonly logger = new Logger('Webhooks');
  private readonly inFlight = new Set<Promise<void>>();
  private readonly shutdown = new AbortController();
  /** Called when a request ends and frees a slot (the cron runs `dispatch` again). */
  private onSlotFreed?: () => void;

  constructor(
    private readonly config: AppConfig,
    private readonly repository: WebhooksRepository,
    private readonly sender: WebhookSender,
    private readonly cipher: WebhookSecretCipher,
  ) {}

  whenSlotFreed(callback: () => void): void {
    this.onSlotFreed = callback;
  }

  /** Claims due deliveries and starts sending them; resolves with how many it started. */
  async dispatch(): Promise<number> {
    const free = PROCESS_IN_FLIGHT - this.inFlight.size;
    if (free <= 0 || this.shutdown.signal.aborted) {
      return 0;
    }
    const leaseId = randomUUID();
    const claimed = await this.repository.claimDue({
      perSubscription: this.config.WEBHOOK_SUBSCRIPTION_CONCURRENCY,
      limit: free,
      leaseId,
      leaseMs: this.config.WEBHOOK_TIMEOUT + LEASE_MARGIN_MS,
    });
    for (const delivery of claimed) {
      const sending: Promise<void> = this.deliver(delivery, leaseId).finally(() => {
        this.inFlight.delete(sending);
        this.onSlotFreed?.();
      });
      this.inFlight.add(sending);
    }
    return claimed.length;
  }

  /** Aborts the requests in flight and waits for their outcomes to be written (the database is still open). */
  async beforeApplicationShutdown(): Promise<void> {
    this.shutdown.abort();
    await Promise.allSettled([...this.inFlight]);
  }

  private async deliver(delivery: ClaimedDelivery, leaseId: string): Promise<void> {
    const outcome = await this.attempt(delivery);
    try {
      if (outcome.delivered) {
        await this.repository.recordDelivered(delivery.id, leaseId, outcome.statusCode);
        webhookAttempts.inc({ outcome: 'delivered' });
        return;
      }
      const status = await this.repository.recordFailure(delivery.id, leaseId, {
        statusCode: outcome.statusCode,
        error: outcome.error,
        // Interrupted by this process's shutdown: due again at once, on another replica or after the restart.
        delayMs: outcome.interrupted
          ? 0
          : retryDelayMs(delivery.attempts, {
              baseMs: this.config.WEBHOOK_RETRY_BASE,
              maxDelayMs: this.config.WEBHOOK_RETRY_MAX_DELAY,
            }),
        windowMs: this.config.WEBHOOK_RETRY_WINDOW,
      });
      if (status !== undefined) {
        webhookAttempts.inc({ outcome: status === 'failed' ? 'failed' : 'retry' });
      }
      if (status === 'failed') {
        this.logger.warn(
          { deliveryId: delivery.id, subscriptionId: delivery.subscriptionId, attempts: delivery.attempts },
          `Webhook delivery ${delivery.id} failed for good: ${outcome.error}`,
        );
      }
    } catch (error) {
      // The lease runs out and the delivery falls due again: at least once.
      this.logger.warn({ err: error, deliveryId: delivery.id }, 'Could not record a webhook attempt');
    }
  }

  private attempt(delivery: ClaimedDelivery): Promise<SendOutcome> {
    const secret = this.cipher.open(delivery.secretSealed);
    if (secret === undefined) {
      return Promise.resolve({
        delivered: false,
        statusCode: null,
        error: 'the signing secret cannot be decrypted (WEBHOOK_SECRETS_KEY or JWT_SIGNING_KEY changed)',
        interrupted: false,
      });
    }
    return this.sender.send({
      url: delivery.url,
      messageId: delivery.eventId,
      body: JSON.stringify(toCloudEvent(delivery.event)), // the bytes the relay published
      secret,
      timeoutMs: this.config.WEBHOOK_TIMEOUT,
      allowPrivate: this.config.WEBHOOK_ALLOW_PRIVATE,
      signal: this.shutdown.signal,
    });
  }
}
