/* eslint-disable @typescript-eslint/no-unsafe-return -- walks the untyped JSON of the document */
import { DOMAIN_EVENT_TYPES } from '@app/events';
import {
  WHATSAPP_COMMAND_ACTIONS,
  WORKER_EVENT_ACTIONS,
  parseHeartbeat,
  parseWhatsappCommand,
  parseWorkerEvent,
} from '@app/whatsapp';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { buildAsyncApiDocument } from './asyncapi-document';
import { JsonSchema } from './message-spec';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const document: Json = buildAsyncApiDocument();
const ajv = addFormats(new Ajv({ strict: true, allErrors: true }));
const validator = (schema: JsonSchema) => ajv.compile(schema);

/** Resolves a local `$ref` (`#/a/b`) against the document, or throws. */
function resolve(ref: string): Json {
  expect(ref).toMatch(/^#\//);
  return ref
    .slice(2)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<Json>((node, part) => {
      if (node === undefined || !(part in node)) {
        throw new Error(`${ref} does not resolve`);
      }
      return node[part] as Json;
    }, document);
}

function refs(node: unknown, found: string[] = []): string[] {
  if (Array.isArray(node)) {
    node.forEach((item) => refs(item, found));
  } else if (node !== null && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref') {
        found.push(value as string);
      } else {
        refs(value, found);
      }
    }
  }
  return found;
}

const messages = Object.entries(document.components.messages as Record<string, Json>);
const byTitle = (title: string): Json => messages.find(([, message]) => message.title === title)![1];
const channelTitles = (channel: string) =>
  Object.values(document.channels[channel].messages as Record<string, Json>).map((ref) => resolve(ref.$ref).title);

describe('the AsyncAPI document', () => {
  it('has the AsyncAPI 3.0.0 essentials', () => {
    expect(document.asyncapi).toBe('3.0.0');
    expect(document.info).toEqual(expect.objectContaining({ title: expect.any(String), version: expect.any(String) }));
    for (const channel of Object.values(document.channels as Record<string, Json>)) {
      expect(channel.address).toEqual(expect.any(String));
      expect(Object.keys(channel.messages).length).toBeGreaterThan(0);
      for (const parameter of channel.address.match(/\{[^}]+\}/g) ?? []) {
        expect(channel.parameters).toHaveProperty(parameter.slice(1, -1));
      }
    }
    for (const [name, operation] of Object.entries(document.operations as Record<string, Json>)) {
      expect({ name, action: operation.action }).toEqual({ name, action: expect.stringMatching(/^(send|receive)$/) });
      // An operation's messages are messages of its own channel (AsyncAPI 3 requires it).
      for (const message of operation.messages as Json[]) {
        expect(message.$ref.startsWith(`${operation.channel.$ref}/messages/`)).toBe(true);
      }
    }
  });

  it('resolves every $ref', () => {
    const all = refs(document);
    expect(all.length).toBeGreaterThan(50);
    all.forEach((ref) => expect(() => resolve(ref)).not.toThrow());
  });

  it('describes every message with a content type, a JSON Schema, and examples the schema accepts', () => {
    expect(messages.length).toBe(
      WORKER_EVENT_ACTIONS.length + 1 + WHATSAPP_COMMAND_ACTIONS.length + DOMAIN_EVENT_TYPES.length,
    );
    for (const [name, message] of messages) {
      expect({ name, contentType: message.contentType }).toEqual({
        name,
        contentType: expect.stringMatching(/^application\/(json|cloudevents\+json)$/),
      });
      const validate = validator(message.payload);
      expect(message.examples.length).toBeGreaterThan(0);
      for (const example of message.examples) {
        expect({ name, valid: validate(example.payload), errors: validate.errors }).toEqual({
          name,
          valid: true,
          errors: null,
        });
      }
    }
  });

  it('describes the worker queues with every action the code knows', () => {
    expect(document.channels.workerEvents.address).toBe('whatsapp.worker.events');
    expect(document.channels.workerCommands.address).toBe('whatsapp.worker.commands');
    expect(document.channels.ownedWorkerCommands.address).toBe('whatsapp.worker.commands.{workerId}');
    expect(channelTitles('workerEvents').sort()).toEqual([...WORKER_EVENT_ACTIONS, 'heartbeat'].sort());
    expect(channelTitles('workerCommands').sort()).toEqual([...WHATSAPP_COMMAND_ACTIONS].sort());
    expect(channelTitles('ownedWorkerCommands').sort()).toEqual([...WHATSAPP_COMMAND_ACTIONS].sort());
  });

  it('describes the domain events of hourglass.events as CloudEvents, routing key = type', () => {
    const events = Object.values(document.channels as Record<string, Json>).filter(
      (channel) => channel.bindings.amqp.exchange?.name === 'hourglass.events',
    );
    expect(events.map((channel) => channel.address).sort()).toEqual(
      [
        'auth.family.revoked',
        'ledger.points.granted',
        'ledger.token.created',
        'ledger.token.expired',
        'ledger.token.redeemed',
        'vinted.session.status_changed',
        'whatsapp.number.status_changed',
        'whatsapp.number.validation_event',
      ].sort(),
    );
    for (const channel of events) {
      expect(channel.bindings.amqp).toEqual(
        expect.objectContaining({
          is: 'routingKey',
          exchange: expect.objectContaining({ type: 'topic', durable: true }),
        }),
      );
      const message = byTitle(channel.address);
      expect(message.contentType).toBe('application/cloudevents+json');
      expect(message.payload.required).toEqual(
        expect.arrayContaining(['specversion', 'id', 'source', 'type', 'time', 'subject', 'datacontenttype', 'data']),
      );
      expect(message.payload.properties.type.const).toBe(channel.address);
      // No secret in an event: a token travels as a non-secret id.
      expect(Object.keys(message.payload.properties.data.properties)).not.toEqual(
        expect.arrayContaining([expect.stringMatching(/^(token|jwt|cookie|password|secret|access|refresh)$/i)]),
      );
    }
    expect(byTitle('ledger.token.expired').payload.properties.data.properties.trigger.enum).toEqual(
      expect.arrayContaining(['cron', 'create', 'validate', 'cli']),
    );
    expect(byTitle('auth.family.revoked').payload.properties.data.properties.reason.enum.sort()).toEqual(
      ['logout', 'password_change', 'reuse', 'revoke_all'].sort(),
    );
  });
});

/**
 * The worker messages' schemas say what the consumers' parsers accept: a valid example comes out
 * of the parser unchanged, a field the schema requires is one the parser requires, and every
 * mutation the parser refuses, the schema refuses too.
 */
describe('the worker message schemas agree with the parsers', () => {
  const parserOf = (title: string) =>
    title === 'heartbeat'
      ? parseHeartbeat
      : (WHATSAPP_COMMAND_ACTIONS as readonly string[]).includes(title)
        ? parseWhatsappCommand
        : parseWorkerEvent;
  const workerMessages = messages.filter(([, message]) => message.contentType === 'application/json');

  /** Every (path, schema) of an object schema's required properties, nested objects included. */
  function requiredPaths(schema: Json, path: string[] = []): string[][] {
    return (schema.required as string[]).flatMap((field) => {
      const property = schema.properties[field] as Json;
      return [[...path, field], ...(property.type === 'object' ? requiredPaths(property, [...path, field]) : [])];
    });
  }
  function mutated(example: Json, path: string[], value: unknown): Json {
    const copy = structuredClone(example);
    const parent = path.slice(0, -1).reduce<Json>((node, part) => node[part] as Json, copy);
    if (value === undefined) {
      delete parent[path[path.length - 1]];
    } else {
      parent[path[path.length - 1]] = value;
    }
    return copy;
  }
  const rejects = (parse: (body: unknown) => unknown, body: Json) => {
    try {
      parse(body);
      return false;
    } catch {
      return true;
    }
  };

  it.each(workerMessages.map(([, message]) => [message.title, message] as const))(
    '%s: the example parses to itself, each required field is required by the parser',
    (title, message) => {
      const parse = parserOf(title);
      const example = message.examples[0].payload as Json;
      expect(parse(structuredClone(example))).toEqual(example);
      for (const path of requiredPaths(message.payload)) {
        if (path.join('.') === 'action') {
          continue;
        } // without it, no parser is chosen: the bus dead-letters
        expect({ path, rejected: rejects(parse, mutated(example, path, undefined)) }).toEqual({ path, rejected: true });
      }
    },
  );

  it.each(workerMessages.map(([, message]) => [message.title, message] as const))(
    '%s: what the parser refuses, the schema refuses',
    (title, message) => {
      const parse = parserOf(title);
      const validate = validator(message.payload);
      const example = message.examples[0].payload as Json;
      const values = [
        undefined,
        null,
        '',
        'x',
        0,
        -1,
        1.5,
        Number.MAX_SAFE_INTEGER + 2,
        true,
        {},
        [],
        '+0221771234567',
      ];
      for (const path of requiredPaths(message.payload)) {
        for (const value of values) {
          const body = mutated(example, path, value);
          if (rejects(parse, body)) {
            expect({ path, value, valid: validate(body) }).toEqual({ path, value, valid: false });
          } else if (validate(body)) {
            expect(parse(structuredClone(body))).toEqual(body);
          }
        }
      }
    },
  );
});
