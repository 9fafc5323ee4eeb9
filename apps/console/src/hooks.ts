import { followStream, type HourglassClient, type StreamTicket } from '@app/client';
import { useEffect, useRef, useState } from 'react';
import { describeError, useClient } from './session';

/** The current time, updated every `intervalMs` (countdowns). */
export function useNow(intervalMs = 250): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), intervalMs);
    return () => window.clearInterval(timer);
  }, [intervalMs]);
  return now;
}

/**
 * When something the API says expires in `seconds` does, on this device's clock: counted from
 * when the answer came, so a phone whose clock is off still shows the right countdown.
 */
export function deadlineOf(seconds: number, receivedAt: number): number {
  return receivedAt + seconds * 1000;
}

/** `m:ss` left until `deadline` (ms on this device's clock; 0:00 once past). */
export function formatRemaining(deadline: number, now: number): string {
  const seconds = Math.max(0, Math.floor((deadline - now) / 1000));
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

/** A loaded value, its error, and a reload. */
export interface Loaded<T> {
  value: T | undefined;
  /** When `value` was received (ms since the epoch; 0 before). */
  readAt: number;
  error: string | undefined;
  reload: () => void;
}

/** Calls `load` on mount and on every `reload()` (or change of `deps`), keeping the last value. */
export function useLoad<T>(load: (client: HourglassClient) => Promise<T>, deps: unknown[] = []): Loaded<T> {
  const client = useClient();
  const [value, setValue] = useState<T>();
  const [readAt, setReadAt] = useState(0);
  const [error, setError] = useState<string>();
  const [generation, setGeneration] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  useEffect(() => {
    let live = true;
    loadRef.current(client).then(
      (result) => {
        if (live) {
          setValue(result);
          setReadAt(Date.now());
          setError(undefined);
        }
      },
      (failure: unknown) => {
        if (live) {
          setError(describeError(failure));
        }
      },
    );
    return () => {
      live = false;
    };
  }, [client, generation, ...deps]);
  return { value, readAt, error, reload: () => setGeneration((n) => n + 1) };
}

/** One of the signed-in user's domain events (CloudEvents from `GET /api/events/`). */
export interface OwnEvent {
  type: string;
  id: string;
  data: Record<string, unknown>;
}

const OWN_EVENT_TYPES = [
  'ledger.points.granted',
  'ledger.token.created',
  'ledger.token.redeemed',
  'ledger.token.expired',
  'auth.family.revoked',
  'vinted.session.status_changed',
  'whatsapp.number.status_changed',
] as const;

/**
 * Follows the user's own events (a stream ticket per connection, as EventSource cannot send the
 * Authorization header). `onConnect` runs at each (re)connection: the stream replays nothing, so
 * pages re-read their REST state then.
 */
export function useOwnEvents(onEvent: (event: OwnEvent) => void, onConnect: () => void): void {
  const client = useClient();
  const handler = useRef(onEvent);
  handler.current = onEvent;
  const connected = useRef(onConnect);
  connected.current = onConnect;
  useEffect(() => {
    const abort = new AbortController();
    const seen = new Set<string>();
    void followStream<OwnEvent>(
      {
        ticket: async () => {
          const ticket = (await client.axios.post<StreamTicket>('/api/events/ticket/')).data;
          connected.current();
          return ticket;
        },
        url: `${window.location.origin}/api/events/`,
        types: OWN_EVENT_TYPES,
        parse: ({ type, data }) => {
          const event = JSON.parse(data) as { id: string; data: Record<string, unknown> };
          if (seen.has(event.id)) {
            return undefined; // at least once: the same id may come twice
          }
          seen.add(event.id);
          return { type, id: event.id, data: event.data };
        },
      },
      { onEvent: (event) => handler.current(event), signal: abort.signal },
    ).catch(() => undefined); // refused for good: signed out (the client's auth failure handles it)
    return () => abort.abort();
  }, [client]);
}
