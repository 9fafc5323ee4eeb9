import {
  createHourglassClient,
  HourglassApiError,
  MemoryTokenStore,
  type HourglassClient,
  type Role,
} from '@app/client';
import { createContext, useContext } from 'react';

/** Who is signed in, read from the access token's claims (the API's role decides which page shows). */
export interface Session {
  username: string;
  userId: number;
  role: Role;
}

/**
 * The typed client on this origin. Tokens stay in memory (MemoryTokenStore): nothing a script
 * injected later could read from storage, and a reload asks to sign in again.
 */
export function createConsoleClient(onAuthFailure: (error: HourglassApiError) => void): HourglassClient {
  return createHourglassClient({
    baseURL: window.location.origin,
    tokenStore: new MemoryTokenStore(),
    onAuthFailure,
    config: { timeout: 15_000 },
  });
}

/** The claims of a JWT's payload (not verified here: the API verifies every request). */
export function sessionOf(access: string, username: string): Session {
  const payload = access.split('.')[1] ?? '';
  const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
  const claims = JSON.parse(json) as { user_id?: number; role?: Role };
  return { username, userId: Number(claims.user_id), role: claims.role ?? 'customer' };
}

export const ClientContext = createContext<HourglassClient | null>(null);

export function useClient(): HourglassClient {
  const client = useContext(ClientContext);
  if (!client) {
    throw new Error('useClient outside <ClientContext.Provider>');
  }
  return client;
}

/** An error as the page shows it: the API's `detail`, else the message. */
export function describeError(error: unknown): string {
  if (error instanceof HourglassApiError) {
    const fields = Object.entries(error.body)
      .filter(([key, value]) => key !== 'detail' && key !== 'code' && Array.isArray(value))
      .map(([key, value]) => `${key}: ${(value as unknown[]).join(' ')}`);
    return error.body.detail === undefined && fields.length > 0 ? fields.join('; ') : error.detail;
  }
  return error instanceof Error ? error.message : String(error);
}

/** A fresh Idempotency-Key (crypto.randomUUID needs a secure context; getRandomValues does not). */
export function newIdempotencyKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}
