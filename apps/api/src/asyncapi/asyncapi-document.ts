import { WORKER_COMMANDS_QUEUE, WORKER_EVENTS_QUEUE, deadLetterQueue } from '@app/messaging';
import { CLOUDEVENTS_CONTENT_TYPE, DOMAIN_EVENT_MESSAGES, EVENTS_EXCHANGE } from './domain-event-schemas';
import { MessageSpec } from './message-spec';
import { WORKER_COMMAND_MESSAGES, WORKER_EVENT_MESSAGES } from './worker-message-schemas';

export const ASYNCAPI_PATH = 'api/asyncapi.json';

type Json = Record<string, unknown>;

const AMQP_BINDING_VERSION = '0.3.0';
/** Persistent, acknowledged: how every message of the document is published and consumed. */
const OPERATION_BINDINGS = { amqp: { deliveryMode: 2, ack: true, bindingVersion: AMQP_BINDING_VERSION } };

function queueChannel(address: string, title: string, description: string, messages: MessageSpec[]): Json {
  return {
    address,
    title,
    description:
      `${description}\n\nA durable queue declared with \`x-dead-letter-exchange: ""\` and \`x-dead-letter-routing-key: "${deadLetterQueue(address)}"\` ` +
      `(declare it with exactly these arguments, or not at all). Bodies are plain JSON objects with a string \`action\`, no framework envelope, ` +
      'published to the default exchange with the queue name as routing key, `content_type: application/json`, persistent, a UUID `message_id`. ' +
      'A body that is not a JSON object with a known `action`, or that fails validation, is dead-lettered at once; a failing handler gets one redelivery, then the message is dead-lettered. ' +
      'Delivery is at least once.',
    messages: Object.fromEntries(
      messages.map((message) => [message.name, { $ref: `#/components/messages/${message.name}` }]),
    ),
    bindings: {
      amqp: {
        is: 'queue',
        queue: { name: address, durable: true, exclusive: false, autoDelete: false },
        bindingVersion: AMQP_BINDING_VERSION,
      },
    },
  };
}

function eventChannel(message: MessageSpec): Json {
  return {
    address: message.title,
    title: message.title,
    description: `\`${message.title}\` events on the \`${EVENTS_EXCHANGE}\` topic exchange (the address is the routing key). ${message.summary}`,
    messages: { [message.name]: { $ref: `#/components/messages/${message.name}` } },
    bindings: {
      amqp: {
        is: 'routingKey',
        exchange: { name: EVENTS_EXCHANGE, type: 'topic', durable: true, autoDelete: false },
        bindingVersion: AMQP_BINDING_VERSION,
      },
    },
  };
}

function operation(action: 'send' | 'receive', channel: string, messages: MessageSpec[], summary: string): Json {
  return {
    action,
    channel: { $ref: `#/channels/${channel}` },
    summary,
    messages: messages.map((message) => ({ $ref: `#/channels/${channel}/messages/${message.name}` })),
    bindings: OPERATION_BINDINGS,
  };
}

function message(spec: MessageSpec, contentType: string): Json {
  return {
    name: spec.name,
    title: spec.title,
    summary: spec.summary,
    contentType,
    payload: spec.payload,
    examples: [{ name: spec.name, payload: spec.example }],
    bindings: { amqp: { bindingVersion: AMQP_BINDING_VERSION } },
  };
}

const upper = (name: string) => name[0].toUpperCase() + name.slice(1);
const WORKER_COMMANDS = 'workerCommands';
const OWNED_WORKER_COMMANDS = 'ownedWorkerCommands';
const WORKER_EVENTS = 'workerEvents';
const WORKER_MESSAGES = [...WORKER_EVENT_MESSAGES, ...WORKER_COMMAND_MESSAGES];

/**
 * The AsyncAPI 3.0.0 document of Hourglass's RabbitMQ traffic, served at `/api/asyncapi.json`:
 * the domain events on `hourglass.events` and the WhatsApp worker queues. Operations are written
 * from the side of the Hourglass app that performs them (the API or a worker), so a foreign
 * worker or consumer can read both ends of each queue.
 */
export function buildAsyncApiDocument(): Json {
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Hourglass messaging',
      version: '0.1.0',
      description:
        'What Hourglass publishes and consumes on RabbitMQ. ' +
        `Domain events: CloudEvents 1.0 in structured JSON mode (\`content_type: ${CLOUDEVENTS_CONTENT_TYPE}\`), persistent, on the durable topic exchange \`${EVENTS_EXCHANGE}\` ` +
        'with the event `type` as routing key; bind your own queue (e.g. `ledger.#`, `#`). Delivery is at least once: deduplicate on `id`. ' +
        'Each Hourglass API process binds its own exclusive, auto-deleted, server-named queue with `#` (for its live `GET /api/events/` streams): those queues are not for other consumers. ' +
        'Events of one aggregate keep their order. No event carries a secret (no exchange token string, JWT or cookie). ' +
        `WhatsApp workers: commands from the API on \`${WORKER_COMMANDS_QUEUE}\` (any worker) and \`${WORKER_COMMANDS_QUEUE}.<workerId>\` (the owner of a session), ` +
        `events from the workers on \`${WORKER_EVENTS_QUEUE}\` (CONTRACT.md §6). The REST API is described by the OpenAPI document at /api/docs-json.`,
    },
    defaultContentType: 'application/json',
    servers: {
      rabbitmq: {
        host: 'localhost:5672',
        protocol: 'amqp',
        protocolVersion: '0.9.1',
        description:
          'The broker named by AMQP_URL (without it, one process runs an in-process bus with the same bodies).',
      },
    },
    channels: {
      [WORKER_EVENTS]: queueChannel(
        WORKER_EVENTS_QUEUE,
        'WhatsApp worker events',
        "Worker → API: the QR lifecycle of each number (seed 004) and the workers' heartbeats. Every event carries the `workerId` of its sender.",
        WORKER_EVENT_MESSAGES,
      ),
      [WORKER_COMMANDS]: queueChannel(
        WORKER_COMMANDS_QUEUE,
        'WhatsApp worker commands (any worker)',
        'API → any worker: commands for a number whose owner is unknown or has a stale heartbeat; the worker that takes one becomes the owner.',
        WORKER_COMMAND_MESSAGES,
      ),
      [OWNED_WORKER_COMMANDS]: {
        ...queueChannel(
          `${WORKER_COMMANDS_QUEUE}.{workerId}`,
          'WhatsApp worker commands (one worker)',
          "API → the worker that owns a number's session, while its heartbeat is fresh.",
          WORKER_COMMAND_MESSAGES,
        ),
        parameters: { workerId: { description: "The owner's WORKER_ID.", examples: ['worker-1'] } },
      },
      ...Object.fromEntries(DOMAIN_EVENT_MESSAGES.map((event) => [event.name, eventChannel(event)])),
    },
    operations: {
      sendWorkerEvent: operation(
        'send',
        WORKER_EVENTS,
        WORKER_EVENT_MESSAGES,
        'A worker reports on a session, or its liveness.',
      ),
      receiveWorkerEvent: operation(
        'receive',
        WORKER_EVENTS,
        WORKER_EVENT_MESSAGES,
        'The API applies an event to the number, then streams it.',
      ),
      sendWorkerCommand: operation('send', WORKER_COMMANDS, WORKER_COMMAND_MESSAGES, 'The API asks any worker.'),
      receiveWorkerCommand: operation(
        'receive',
        WORKER_COMMANDS,
        WORKER_COMMAND_MESSAGES,
        'Every worker consumes the shared queue.',
      ),
      sendOwnedWorkerCommand: operation(
        'send',
        OWNED_WORKER_COMMANDS,
        WORKER_COMMAND_MESSAGES,
        "The API asks the session's owner.",
      ),
      receiveOwnedWorkerCommand: operation(
        'receive',
        OWNED_WORKER_COMMANDS,
        WORKER_COMMAND_MESSAGES,
        'Each worker consumes its own queue.',
      ),
      ...Object.fromEntries(
        DOMAIN_EVENT_MESSAGES.map((event) => [
          `publish${upper(event.name)}`,
          operation(
            'send',
            event.name,
            [event],
            `Hourglass publishes \`${event.title}\` once the change is committed.`,
          ),
        ]),
      ),
    },
    components: {
      messages: Object.fromEntries<Json>([
        ...WORKER_MESSAGES.map((spec): [string, Json] => [spec.name, message(spec, 'application/json')]),
        ...DOMAIN_EVENT_MESSAGES.map((spec): [string, Json] => [spec.name, message(spec, CLOUDEVENTS_CONTENT_TYPE)]),
      ]),
    },
  };
}
