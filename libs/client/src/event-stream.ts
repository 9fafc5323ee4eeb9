import { HourglassApiError } from './api.errors';
import type { StreamTicket } from './contract.types';
import { SseParser, type ServerSentEvent } from './sse-parser';

/** What the client needs of a WHATWG `EventSource` (the DOM's, or undici's in Node with `--experimental-eventsource`). */
export interface EventSourceLike {
  readonly readyState: number;
  addEventListener(type: string, listener: (event: { data?: unknown }) => void): void;
  close(): void;
}
export type EventSourceConstructor = new (url: string) => EventSourceLike;

/** How to follow a stream: the handlers, and when to stop. */
export interface FollowOptions<E> {
  /** Each event, parsed; the first after every (re)connection is the current state (`status`). */
  onEvent: (event: E) => void;
  /** Each interruption the helper recovers from by itself (a stream that ended, a network failure), before it reconnects. */
  onError?: (error: unknown) => void;
  /** Aborting it closes the stream; the promise `follow…()` returned then resolves. */
  signal?: AbortSignal;
  /**
   * `eventsource`: a WHATWG `EventSource` (the default where there is one: browsers); `fetch`: the
   * response body read with `fetch` (the default elsewhere: Node).
   */
  transport?: 'eventsource' | 'fetch';
  /** First wait before a reconnection, doubled after each failed one up to 30 s. Default 1000 ms. */
  reconnectDelayMs?: number;
}

/** One stream: how to get a ticket for it, where it is, and which events it carries. */
export interface StreamSource<E> {
  ticket: () => Promise<StreamTicket>;
  /** The stream's URL, without its query. */
  url: string;
  /** The event types to listen to (an `EventSource` only reports the types it listens to). */
  types: readonly string[];
  /** The typed event of a server-sent one; `undefined` to skip it. */
  parse: (event: ServerSentEvent) => E | undefined;
}

const MAX_RECONNECT_DELAY_MS = 30_000;

/**
 * Follows an event stream until `signal` aborts: gets a ticket (authenticated, with the client's
 * token refresh), opens the stream with `?ticket=`, and when the stream ends or fails, waits and
 * does it again with a new ticket (a ticket opens one stream once, so an `EventSource`'s own
 * reconnection, which would present the spent one, is never used). Rejects when the ticket is
 * refused for good (4xx but 429: the number is not the user's, the user is logged out); resolves
 * once aborted.
 */
export async function followStream<E>(source: StreamSource<E>, options: FollowOptions<E>): Promise<void> {
  const { signal, onError } = options;
  const firstDelay = options.reconnectDelayMs ?? 1000;
  const transport = options.transport ?? (globalEventSource() ? 'eventsource' : 'fetch');
  let delay = firstDelay;
  while (!signal?.aborted) {
    let ticket: StreamTicket;
    try {
      ticket = await source.ticket();
    } catch (error) {
      if (error instanceof HourglassApiError && error.status >= 400 && error.status < 500 && error.status !== 429) {
        throw error;
      }
      onError?.(error);
      await wait(delay, signal);
      delay = Math.min(delay * 2, MAX_RECONNECT_DELAY_MS);
      continue;
    }
    const url = `${source.url}?ticket=${encodeURIComponent(ticket.ticket)}`;
    const deliver = (event: ServerSentEvent) => {
      const parsed = source.parse(event);
      if (parsed !== undefined) {
        delay = firstDelay; // it works again: the next interruption starts from the short wait
        options.onEvent(parsed);
      }
    };
    try {
      await (transport === 'eventsource'
        ? readWithEventSource(url, source, deliver, signal)
        : readWithFetch(url, source.url, deliver, signal));
      if (!signal?.aborted) {
        onError?.(new Error(`The event stream ${source.url} ended; reconnecting`));
      }
    } catch (error) {
      if (!signal?.aborted) {
        onError?.(error);
      }
    }
    await wait(delay, signal);
    delay = Math.min(delay * 2, MAX_RECONNECT_DELAY_MS);
  }
}

function globalEventSource(): EventSourceConstructor | undefined {
  return (globalThis as { EventSource?: EventSourceConstructor }).EventSource;
}

/** Until the stream ends (resolves) or cannot be opened (rejects); the EventSource never reconnects by itself. */
function readWithEventSource(
  url: string,
  source: StreamSource<unknown>,
  deliver: (event: ServerSentEvent) => void,
  signal: AbortSignal | undefined,
): Promise<void> {
  const EventSource = globalEventSource();
  if (!EventSource) {
    return Promise.reject(new Error('No EventSource here: use transport "fetch"'));
  }
  return new Promise((resolve, reject) => {
    const stream = new EventSource(url);
    let opened = false;
    const finish = (error?: Error) => {
      stream.close();
      signal?.removeEventListener('abort', onAbort);
      if (error) {
        reject(error);
      } else {
        resolve();
      }
    };
    const onAbort = () => finish();
    signal?.addEventListener('abort', onAbort, { once: true });
    stream.addEventListener('open', () => (opened = true));
    for (const type of source.types) {
      stream.addEventListener(type, (event) => {
        // `error` is also the name of EventSource's own failure event, which carries no data.
        if (typeof event.data === 'string') {
          deliver({ type, data: event.data });
        } else if (type === 'error') {
          finish(opened ? undefined : new Error(`Could not open the event stream ${source.url}`));
        }
      });
    }
    if (!source.types.includes('error')) {
      stream.addEventListener('error', () =>
        finish(opened ? undefined : new Error(`Could not open the event stream ${source.url}`)),
      );
    }
  });
}

/** Until the body ends (resolves), or the answer is not a stream (rejects with HourglassApiError). */
async function readWithFetch(
  url: string,
  path: string,
  deliver: (event: ServerSentEvent) => void,
  signal: AbortSignal | undefined,
): Promise<void> {
  let response: Response;
  try {
    response = await fetch(url, { headers: { Accept: 'text/event-stream' }, signal });
  } catch (error) {
    if (signal?.aborted) {
      return;
    }
    throw error;
  }
  if (!response.ok || response.body === null) {
    const text = await response.text().catch(() => '');
    throw new HourglassApiError({
      status: response.status,
      body: parseJson(text) ?? text,
      // Never the URL with its ticket: this error's message may be logged.
      request: { method: 'GET', url: path },
      statusText: response.statusText,
    });
  }
  const parser = new SseParser(deliver);
  const decoder = new TextDecoder();
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) {
        return;
      }
      parser.push(decoder.decode(value, { stream: true }));
    }
  } catch (error) {
    if (!signal?.aborted) {
      throw error;
    }
  } finally {
    reader.releaseLock();
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Waits `ms`, or less if `signal` aborts. */
function wait(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) {
      resolve();
      return;
    }
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
