import { AppError, INT4_MAX } from '@app/common';
import { WebhookSubscription, WebhooksService } from '@app/webhooks';
import { Command, Option, SubCommand } from 'nest-commander';
import { CommandReport, ReportingCommand } from '../output/reporting-command';
import { table, when } from '../output/format';
import { CommandGroup } from '../command-group';

/** A positional row id, or a one-line usage error. */
function rowId(value: string | undefined, what: string): number {
  if (value === undefined || !/^[1-9]\d{0,9}$/.test(value) || Number(value) > INT4_MAX) {
    throw new AppError('invalid', `${what} must be a positive integer, not ${JSON.stringify(value ?? '')}`);
  }
  return Number(value);
}

function eventList(value: string): string[] {
  const types = value
    .split(',')
    .map((type) => type.trim())
    .filter((type) => type !== '');
  if (types.length === 0) {
    throw new AppError('invalid', '--events needs at least one event type (or "*")');
  }
  return types;
}

const describe = (s: WebhookSubscription) =>
  `${s.id} ${s.url} [${s.eventTypes.join(', ')}]${s.active ? '' : ' (paused)'}`;

interface CreateOptions {
  url: string;
  events: string[];
  secret?: string;
}

@SubCommand({ name: 'create', description: 'Subscribe a URL to domain events; prints the signing secret once' })
export class WebhooksCreateCommand extends ReportingCommand<CreateOptions> {
  constructor(private readonly webhooks: WebhooksService) {
    super();
  }

  protected async execute(_args: string[], { url, events, secret }: CreateOptions): Promise<CommandReport> {
    const created = await this.webhooks.create({ url, eventTypes: events, secret });
    return {
      human: [
        `Created webhook subscription ${describe(created)}.`,
        `Signing secret (shown only now): ${created.secret}`,
      ],
      json: created,
    };
  }

  @Option({ flags: '--url <url>', description: 'The http(s) URL to POST events to', required: true })
  parseUrl(value: string): string {
    return value;
  }

  @Option({
    flags: '--events <types>',
    description: 'Comma-separated event types, or "*" for all (e.g. ledger.token.expired,ledger.token.redeemed)',
    required: true,
  })
  parseEvents(value: string): string[] {
    return eventList(value);
  }

  @Option({ flags: '--secret <secret>', description: 'A whsec_… secret to sign with (default: a generated one)' })
  parseSecret(value: string): string {
    return value;
  }
}

@SubCommand({ name: 'list', description: 'List the webhook subscriptions' })
export class WebhooksListCommand extends ReportingCommand {
  constructor(private readonly webhooks: WebhooksService) {
    super();
  }

  protected async execute(): Promise<CommandReport> {
    const subscriptions: WebhookSubscription[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.webhooks.list({ limit: 200, cursor });
      subscriptions.push(...page.subscriptions);
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    const rows = subscriptions.map((s) => [
      String(s.id),
      s.active ? 'active' : 'paused',
      s.eventTypes.join(','),
      s.url,
    ]);
    return {
      human:
        subscriptions.length === 0 ? ['No webhook subscriptions.'] : [table(['ID', 'STATE', 'EVENTS', 'URL'], rows)],
      json: { subscriptions },
    };
  }
}

interface DeliveriesOptions {
  limit?: number;
}

@SubCommand({
  name: 'deliveries',
  arguments: '<subscriptionId>',
  description: "A subscription's delivery log, newest first",
})
export class WebhooksDeliveriesCommand extends ReportingCommand<DeliveriesOptions> {
  constructor(private readonly webhooks: WebhooksService) {
    super();
  }

  protected async execute([id]: string[], { limit }: DeliveriesOptions): Promise<CommandReport> {
    const { deliveries } = await this.webhooks.deliveries(rowId(id, 'The subscription id'), { limit: limit ?? 50 });
    const rows = deliveries.map((d) => [
      String(d.id),
      d.eventType,
      d.status,
      String(d.attempts),
      d.lastStatusCode === null ? '-' : String(d.lastStatusCode),
      d.lastError ?? '-',
      d.status === 'pending' ? when(d.nextAttemptAt) : when(d.deliveredAt),
    ]);
    return {
      human:
        deliveries.length === 0
          ? [`No deliveries for subscription ${id}.`]
          : [table(['ID', 'EVENT', 'STATUS', 'ATTEMPTS', 'CODE', 'LAST ERROR', 'NEXT / DELIVERED'], rows)],
      json: { deliveries },
    };
  }

  @Option({ flags: '--limit <n>', description: 'How many of the latest deliveries (1-200, default 50)' })
  parseLimit(value: string): number {
    if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 200) {
      throw new AppError('invalid', `--limit must be an integer from 1 to 200, not ${JSON.stringify(value)}`);
    }
    return Number(value);
  }
}

@SubCommand({
  name: 'redeliver',
  arguments: '<deliveryId>',
  description: 'Send a delivery again now (any status), with a new retry window',
})
export class WebhooksRedeliverCommand extends ReportingCommand {
  constructor(private readonly webhooks: WebhooksService) {
    super();
  }

  protected async execute([id]: string[]): Promise<CommandReport> {
    const delivery = await this.webhooks.redeliver(rowId(id, 'The delivery id'));
    return {
      human: [
        `Delivery ${delivery.id} (${delivery.eventType} to subscription ${delivery.subscriptionId}) is pending again; the running API sends it.`,
      ],
      json: delivery,
    };
  }
}

interface UpdateOptions {
  events?: string[];
}

@SubCommand({ name: 'pause', arguments: '<id>', description: 'Pause a subscription (no new deliveries, none sent)' })
export class WebhooksPauseCommand extends ReportingCommand {
  constructor(private readonly webhooks: WebhooksService) {
    super();
  }

  protected async execute([id]: string[]): Promise<CommandReport> {
    const updated = await this.webhooks.update(rowId(id, 'The subscription id'), { active: false });
    return { human: [`Paused webhook subscription ${describe(updated)}.`], json: updated };
  }
}

@SubCommand({
  name: 'resume',
  arguments: '<id>',
  description: 'Resume a paused subscription, optionally with new event types',
})
export class WebhooksResumeCommand extends ReportingCommand<UpdateOptions> {
  constructor(private readonly webhooks: WebhooksService) {
    super();
  }

  protected async execute([id]: string[], { events }: UpdateOptions): Promise<CommandReport> {
    const updated = await this.webhooks.update(rowId(id, 'The subscription id'), { active: true, eventTypes: events });
    return { human: [`Resumed webhook subscription ${describe(updated)}.`], json: updated };
  }

  @Option({ flags: '--events <types>', description: 'New comma-separated event types, or "*"' })
  parseEvents(value: string): string[] {
    return eventList(value);
  }
}

@SubCommand({ name: 'delete', arguments: '<id>', description: 'Delete a subscription and its delivery log' })
export class WebhooksDeleteCommand extends ReportingCommand {
  constructor(private readonly webhooks: WebhooksService) {
    super();
  }

  protected async execute([id]: string[]): Promise<CommandReport> {
    const subscriptionId = rowId(id, 'The subscription id');
    await this.webhooks.delete(subscriptionId);
    return { human: [`Deleted webhook subscription ${subscriptionId}.`], json: { id: subscriptionId, deleted: true } };
  }
}

export const WEBHOOKS_SUBCOMMANDS = [
  WebhooksCreateCommand,
  WebhooksListCommand,
  WebhooksDeliveriesCommand,
  WebhooksRedeliverCommand,
  WebhooksPauseCommand,
  WebhooksResumeCommand,
  WebhooksDeleteCommand,
];

@Command({
  name: 'webhooks',
  description: 'Signed webhook subscriptions to domain events',
  subCommands: WEBHOOKS_SUBCOMMANDS,
})
export class WebhooksCommand extends CommandGroup {}
