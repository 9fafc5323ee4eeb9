import {
  InvalidCursorError,
  PageRequest,
  cursorInteger,
  decodeCursor,
  encodeCursor,
  isIntegerId,
  pageSize,
} from '@app/common';
import { AppConfig } from '@app/config';
import { DOMAIN_EVENT_TYPES } from '@app/events';
import { Injectable } from '@nestjs/common';
import { WebhookSecretCipher, generateWebhookSecret, validateWebhookSecret } from './webhook-secret';
import { checkWebhookHost, parseWebhookUrl } from './webhook-url-policy';
import {
  UnknownEventTypeError,
  WebhookDeliveryNotFoundError,
  WebhookSubscriptionNotFoundError,
} from './webhooks.errors';
import { WebhookDelivery, WebhookSubscription, WebhooksRepository } from './webhooks.repository';

/** Every event type, present and future. */
export const ALL_EVENT_TYPES = '*';

export interface NewWebhookSubscription {
  url: string;
  /** Domain event types (`DOMAIN_EVENT_TYPES`), or `*` for all of them. */
  eventTypes: string[];
  /** A Standard Webhooks secret (`whsec_…`); omitted: one is generated. */
  secret?: string;
}

export interface SubscriptionChange {
  active?: boolean;
  eventTypes?: string[];
}

/** A new subscription and its secret: the only time the secret is shown. */
export type CreatedWebhookSubscription = WebhookSubscription & { secret: string };

export interface SubscriptionPage {
  subscriptions: WebhookSubscription[];
  nextCursor: string | null;
}

export interface DeliveryPage {
  deliveries: WebhookDelivery[];
  nextCursor: string | null;
}

/** The known types, deduplicated, in a stable order; `*` absorbs the others. */
function validEventTypes(types: string[]): string[] {
  for (const type of types) {
    if (type !== ALL_EVENT_TYPES && !(DOMAIN_EVENT_TYPES as readonly string[]).includes(type)) {
      throw new UnknownEventTypeError(type, DOMAIN_EVENT_TYPES);
    }
  }
  return types.includes(ALL_EVENT_TYPES) ? [ALL_EVENT_TYPES] : DOMAIN_EVENT_TYPES.filter((t) => types.includes(t));
}

/** The last id of the previous page, as the other paged lists read it (`before`, an int4 id). */
function beforeId(page: PageRequest): number | undefined {
  if (page.cursor === undefined) {
    return undefined;
  }
  const before = cursorInteger(decodeCursor(page.cursor).before);
  if (!isIntegerId(before)) {
    throw new InvalidCursorError(); // ids are int4: a larger one was never handed out
  }
  return before;
}

/** Rows fetched with `limit + 1`: the page, and a cursor only when there is more. */
function paged<T extends { id: number }>(rows: T[], limit: number): { items: T[]; nextCursor: string | null } {
  const items = rows.slice(0, limit);
  return { items, nextCursor: rows.length > limit ? encodeCursor({ before: items[items.length - 1].id }) : null };
}

/**
 * Webhook subscriptions (admin): register, list, change, delete; each one's delivery log and
 * redelivery. The sending is `WebhookDeliveryService`'s; the fan-out of events to deliveries is
 * this lib's trigger on `outbox_events` (migration CreateWebhooks), fired by the relay's
 * mark-sent: a subscription receives the events published after it was created.
 */
@Injectable()
export class WebhooksService {
  constructor(
    private readonly config: AppConfig,
    private readonly repository: WebhooksRepository,
    private readonly cipher: WebhookSecretCipher,
  ) {}

  /** Registers a subscription; answers its secret (the generated one if none was given), the only time it is shown. */
  async create(input: NewWebhookSubscription): Promise<CreatedWebhookSubscription> {
    const url = parseWebhookUrl(input.url);
    const eventTypes = validEventTypes(input.eventTypes);
    const secret = input.secret === undefined ? generateWebhookSecret() : validateWebhookSecret(input.secret);
    await checkWebhookHost(url, this.config.WEBHOOK_ALLOW_PRIVATE);
    const subscription = await this.repository.insertSubscription(url.href, eventTypes, this.cipher.seal(secret));
    return { ...subscription, secret };
  }

  async list(page: PageRequest): Promise<SubscriptionPage> {
    const limit = pageSize(page.limit);
    const { items, nextCursor } = paged(await this.repository.listSubscriptions(limit + 1, beforeId(page)), limit);
    return { subscriptions: items, nextCursor };
  }

  async get(id: number): Promise<WebhookSubscription> {
    const subscription = await this.repository.findSubscription(id);
    if (subscription === undefined) {
      throw new WebhookSubscriptionNotFoundError();
    }
    return subscription;
  }

  /** Pauses or resumes a subscription, or changes its event types. A paused one gets no new deliveries and sends none. */
  async update(id: number, change: SubscriptionChange): Promise<WebhookSubscription> {
    const eventTypes = change.eventTypes === undefined ? undefined : validEventTypes(change.eventTypes);
    const updated = await this.repository.updateSubscription(id, { active: change.active, eventTypes });
    if (updated === undefined) {
      throw new WebhookSubscriptionNotFoundError();
    }
    return updated;
  }

  /** Deletes a subscription with its delivery log. */
  async delete(id: number): Promise<void> {
    if (!(await this.repository.deleteSubscription(id))) {
      throw new WebhookSubscriptionNotFoundError();
    }
  }

  /** A subscription's delivery log, newest first. */
  async deliveries(subscriptionId: number, page: PageRequest): Promise<DeliveryPage> {
    const limit = pageSize(page.limit);
    const before = beforeId(page);
    await this.get(subscriptionId);
    const rows = await this.repository.listDeliveries(subscriptionId, limit + 1, before);
    const { items, nextCursor } = paged(rows, limit);
    return { deliveries: items, nextCursor };
  }

  /** Sends a delivery again, whatever its status: pending and due now, with a new retry window. */
  async redeliver(deliveryId: number): Promise<WebhookDelivery> {
    const delivery = await this.repository.redeliver(deliveryId);
    if (delivery === undefined) {
      throw new WebhookDeliveryNotFoundError();
    }
    return delivery;
  }
}
