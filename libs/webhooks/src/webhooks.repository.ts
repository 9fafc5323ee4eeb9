import { CloudEventSource } from '@app/events';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';
export const DELIVERY_STATUSES: readonly DeliveryStatus[] = ['pending', 'delivered', 'failed'];

/** A subscription as admins see it: never its secret. */
export interface WebhookSubscription {
  id: number;
  url: string;
  eventTypes: string[];
  active: boolean;
  createdAt: string;
  updatedAt: string;
}

/** One event's delivery to one subscription: a line of the subscription's delivery log. */
export interface WebhookDelivery {
  id: number;
  subscriptionId: number;
  eventId: string;
  eventType: string;
  status: DeliveryStatus;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  /** When the next attempt is due (pending deliveries only). */
  nextAttemptAt: string | null;
  lastAttemptAt: string | null;
  deliveredAt: string | null;
  createdAt: string;
}

/** A delivery a sender claimed: what it needs to send it, and the lease its outcome must present. */
/** A claimed row as the statement answers it. */
type ClaimedRow = Omit<ClaimedDelivery, 'event'> & Omit<CloudEventSource, 'id'>;

export interface ClaimedDelivery {
  id: number;
  subscriptionId: number;
  eventId: string;
  url: string;
  secretSealed: string;
  /** The event as the outbox held it: `toCloudEvent` makes the published CloudEvent of it again. */
  event: CloudEventSource;
  attempts: number;
}

export interface ClaimRequest {
  /** Requests one subscription may have in flight across the cluster. */
  perSubscription: number;
  /** Deliveries this claim may take in all. */
  limit: number;
  leaseId: string;
  leaseMs: number;
}

const SUBSCRIPTION_COLUMNS = `id, url, event_types AS "eventTypes", active,
  to_json(created_at) #>> '{}' AS "createdAt", to_json(updated_at) #>> '{}' AS "updatedAt"`;
const DELIVERY_COLUMNS = `id, subscription_id AS "subscriptionId", event_id AS "eventId", event_type AS "eventType",
  status, attempts, last_status_code AS "lastStatusCode", last_error AS "lastError",
  CASE WHEN status = 'pending' THEN to_json(next_attempt_at) #>> '{}' END AS "nextAttemptAt",
  to_json(last_attempt_at) #>> '{}' AS "lastAttemptAt", to_json(delivered_at) #>> '{}' AS "deliveredAt",
  to_json(created_at) #>> '{}' AS "createdAt"`;
const MS = `* interval '1 millisecond'`;

/** SQL on `webhook_subscriptions` and `webhook_deliveries` (the fan-out is the trigger of migration CreateWebhooks). */
@Injectable()
export class WebhooksRepository {
  constructor(private readonly dataSource: DataSource) {}

  async insertSubscription(url: string, eventTypes: string[], secretSealed: string): Promise<WebhookSubscription> {
    const rows = await this.dataSource.query<WebhookSubscription[]>(
      `INSERT INTO webhook_subscriptions (url, event_types, secret_sealed) VALUES ($1, $2, $3)
       RETURNING ${SUBSCRIPTION_COLUMNS}`,
      [url, eventTypes, secretSealed],
    );
    return rows[0];
  }

  /** Newest first; `beforeId`: the last id of the previous page. */
  listSubscriptions(limit: number, beforeId?: number): Promise<WebhookSubscription[]> {
    return this.dataSource.query<WebhookSubscription[]>(
      `SELECT ${SUBSCRIPTION_COLUMNS} FROM webhook_subscriptions
       WHERE $2::int IS NULL OR id < $2 ORDER BY id DESC LIMIT $1`,
      [limit, beforeId ?? null],
    );
  }

  async findSubscription(id: number): Promise<WebhookSubscription | undefined> {
    const rows = await this.dataSource.query<WebhookSubscription[]>(
      `SELECT ${SUBSCRIPTION_COLUMNS} FROM webhook_subscriptions WHERE id = $1`,
      [id],
    );
    return rows[0];
  }

  async updateSubscription(
    id: number,
    change: { active?: boolean; eventTypes?: string[] },
  ): Promise<WebhookSubscription | undefined> {
    const [rows] = await this.dataSource.query<[WebhookSubscription[], number]>(
      `UPDATE webhook_subscriptions
       SET active = coalesce($2, active), event_types = coalesce($3, event_types), updated_at = now()
       WHERE id = $1 RETURNING ${SUBSCRIPTION_COLUMNS}`,
      [id, change.active ?? null, change.eventTypes ?? null],
    );
    return rows[0];
  }

  /** Deletes a subscription and its delivery log; false when there was none. */
  async deleteSubscription(id: number): Promise<boolean> {
    const [, count] = await this.dataSource.query<[unknown[], number]>(
      'DELETE FROM webhook_subscriptions WHERE id = $1',
      [id],
    );
    return count > 0;
  }

  /** A subscription's deliveries, newest first; `beforeId`: the last id of the previous page. */
  listDeliveries(subscriptionId: number, limit: number, beforeId?: number): Promise<WebhookDelivery[]> {
    return this.dataSource.query<WebhookDelivery[]>(
      `SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries
       WHERE subscription_id = $1 AND ($3::int IS NULL OR id < $3) ORDER BY id DESC LIMIT $2`,
      [subscriptionId, limit, beforeId ?? null],
    );
  }

  /**
   * Makes a delivery pending and due now, with a new retry window (attempts back to 0); the last
   * status code and error stay until the next attempt. A claim in flight loses its lease: its
   * outcome is not recorded.
   */
  async redeliver(id: number): Promise<WebhookDelivery | undefined> {
    const [rows] = await this.dataSource.query<[WebhookDelivery[], number]>(
      `UPDATE webhook_deliveries
       SET status = 'pending', attempts = 0, next_attempt_at = now(), first_attempt_at = NULL, lease_id = NULL,
           delivered_at = NULL
       WHERE id = $1 RETURNING ${DELIVERY_COLUMNS}`,
      [id],
    );
    return rows[0];
  }

  /**
   * Claims due deliveries of active subscriptions, at most `perSubscription` in flight per
   * subscription (counting the unexpired leases of every replica) and `limit` in all. Each claim
   * counts an attempt and pushes `next_attempt_at` to the lease's end: a sender that dies without
   * recording an outcome leaves a delivery that falls due again. One claimer per subscription at
   * a time (its row is locked, SKIP LOCKED: a replica claiming at the same instant passes it by
   * this tick), so two replicas never both spend the same free slots. The oldest due deliveries
   * go first, whatever their subscription, so a few free slots do not always go to the same ones.
   */
  async claimDue(request: ClaimRequest): Promise<ClaimedDelivery[]> {
    // A statement whose top level is an UPDATE: the driver answers [rows, count].
    const [rows] = await this.dataSource.query<[ClaimedRow[], number]>(
      `WITH subscriptions AS (
         SELECT s.id, $1::int - (
           SELECT count(*) FROM webhook_deliveries f
           WHERE f.subscription_id = s.id AND f.status = 'pending' AND f.lease_id IS NOT NULL AND f.next_attempt_at > now()
         ) AS free
         FROM webhook_subscriptions s WHERE s.active
         FOR NO KEY UPDATE OF s SKIP LOCKED
       ), due AS (
         SELECT d.id FROM subscriptions s
         CROSS JOIN LATERAL (
           SELECT c.id, c.next_attempt_at FROM webhook_deliveries c
           WHERE c.subscription_id = s.id AND c.status = 'pending' AND c.next_attempt_at <= now()
           ORDER BY c.next_attempt_at, c.id
           LIMIT greatest(0, s.free)
           FOR UPDATE SKIP LOCKED
         ) d
         ORDER BY d.next_attempt_at, d.id
         LIMIT $2
       )
       UPDATE webhook_deliveries w
       SET attempts = w.attempts + 1, lease_id = $3, next_attempt_at = now() + $4::bigint ${MS},
           first_attempt_at = coalesce(w.first_attempt_at, now()), last_attempt_at = now()
       FROM due, webhook_subscriptions s
       WHERE w.id = due.id AND s.id = w.subscription_id
       RETURNING w.id, w.subscription_id AS "subscriptionId", w.event_id AS "eventId", s.url,
         s.secret_sealed AS "secretSealed", w.attempts,
         w.event_type AS type, w.subject, w.data AS payload, w.occurred_at`,
      [request.perSubscription, request.limit, request.leaseId, request.leaseMs],
    );
    return rows.map(({ type, subject, payload, occurred_at, ...delivery }) => ({
      ...delivery,
      event: { id: delivery.eventId, type, subject, payload, occurred_at },
    }));
  }

  /** Records a 2xx answer, if the lease is still this sender's. */
  async recordDelivered(id: number, leaseId: string, statusCode: number): Promise<void> {
    await this.dataSource.query(
      `UPDATE webhook_deliveries
       SET status = 'delivered', delivered_at = now(), lease_id = NULL, last_status_code = $3, last_error = NULL
       WHERE id = $1 AND lease_id = $2`,
      [id, leaseId, statusCode],
    );
  }

  /**
   * Records a failed attempt, if the lease is still this sender's: the next attempt in `delayMs`,
   * or `failed` when that would fall after `windowMs` from the first attempt (database clock).
   * Returns the new status, or `undefined` when the lease was lost (a redelivery took it).
   */
  async recordFailure(
    id: number,
    leaseId: string,
    outcome: { statusCode: number | null; error: string; delayMs: number; windowMs: number },
  ): Promise<DeliveryStatus | undefined> {
    const [rows] = await this.dataSource.query<[{ status: DeliveryStatus }[], number]>(
      `UPDATE webhook_deliveries
       SET status = CASE WHEN now() + $5::bigint ${MS} > first_attempt_at + $6::bigint ${MS} THEN 'failed' ELSE 'pending' END,
           next_attempt_at = now() + $5::bigint ${MS}, lease_id = NULL, last_status_code = $3, last_error = $4
       WHERE id = $1 AND lease_id = $2 RETURNING status`,
      [id, leaseId, outcome.statusCode, outcome.error, outcome.delayMs, outcome.windowMs],
    );
    return rows[0]?.status;
  }

  /** Deletes delivered and failed deliveries whose last attempt is older than `retentionMs`; returns how many. */
  async purgeFinished(retentionMs: number): Promise<number> {
    const rows = await this.dataSource.query<{ purged: number }[]>(
      `WITH purged AS (
         DELETE FROM webhook_deliveries
         WHERE status <> 'pending' AND last_attempt_at < now() - $1::bigint ${MS}
         RETURNING 1
       ) SELECT count(*)::integer AS purged FROM purged`,
      [retentionMs],
    );
    return rows[0].purged;
  }

  async countPending(): Promise<number> {
    const rows = await this.dataSource.query<{ n: string }[]>(
      `SELECT count(*) AS n FROM webhook_deliveries WHERE status = 'pending'`,
    );
    return Number(rows[0].n);
  }
}
