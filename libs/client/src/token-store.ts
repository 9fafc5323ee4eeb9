import type { TokenPair } from './contract.types';

/** A value or a promise of it: stores may be synchronous (localStorage) or not (AsyncStorage, IndexedDB). */
export type MaybePromise<T> = T | Promise<T>;

/** Where the client keeps the current access/refresh pair. */
export interface TokenStore {
  /** The current pair, or null when logged out. */
  get(): MaybePromise<TokenPair | null>;
  /** Replaces the pair (after login or a rotation). */
  set(pair: TokenPair): MaybePromise<void>;
  /** Forgets the pair (logout, failed refresh). */
  clear(): MaybePromise<void>;
}

/** Keeps the pair in memory: lost on reload, invisible to other tabs. */
export class MemoryTokenStore implements TokenStore {
  private pair: TokenPair | null;

  constructor(initial: TokenPair | null = null) {
    this.pair = initial;
  }

  get(): TokenPair | null {
    return this.pair;
  }

  set(pair: TokenPair): void {
    this.pair = { access: pair.access, refresh: pair.refresh };
  }

  clear(): void {
    this.pair = null;
  }
}

/** The part of the Web Storage API the store needs (`localStorage`, `sessionStorage`, or a fake). */
export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** Keeps the pair as JSON under one key of a Web Storage; a corrupt entry reads as logged out. */
export class StorageTokenStore implements TokenStore {
  constructor(
    private readonly storage: StorageLike,
    private readonly key = 'hourglass.tokens',
  ) {}

  get(): TokenPair | null {
    const raw = this.storage.getItem(this.key);
    if (raw === null) {
      return null;
    }
    try {
      const parsed: unknown = JSON.parse(raw);
      return isTokenPair(parsed) ? { access: parsed.access, refresh: parsed.refresh } : null;
    } catch {
      return null;
    }
  }

  set(pair: TokenPair): void {
    this.storage.setItem(this.key, JSON.stringify({ access: pair.access, refresh: pair.refresh }));
  }

  clear(): void {
    this.storage.removeItem(this.key);
  }
}

function isTokenPair(value: unknown): value is TokenPair {
  if (typeof value !== 'object' || value === null) {
    return false;
  }
  const { access, refresh } = value as Record<string, unknown>;
  return typeof access === 'string' && typeof refresh === 'string';
}
