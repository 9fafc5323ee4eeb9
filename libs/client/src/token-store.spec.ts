import { MemoryTokenStore, StorageTokenStore, type StorageLike } from './token-store';

/** A Map-backed stand-in for `localStorage`. */
class FakeStorage implements StorageLike {
  readonly items = new Map<string, string>();
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.items.set(key, value);
  }
  removeItem(key: string): void {
    this.items.delete(key);
  }
}

describe('token stores', () => {
  const pair = { access: 'a-1', refresh: 'r-1' };

  it('MemoryTokenStore sets, gets and clears a copy of the pair', () => {
    const store = new MemoryTokenStore();
    expect(store.get()).toBeNull();
    store.set(pair);
    expect(store.get()).toEqual(pair);
    expect(store.get()).not.toBe(pair);
    store.clear();
    expect(store.get()).toBeNull();
  });

  it('StorageTokenStore keeps the pair as JSON under its key, only access and refresh', () => {
    const storage = new FakeStorage();
    const store = new StorageTokenStore(storage, 'app.tokens');
    store.set({ ...pair, extra: 'x' } as typeof pair);
    expect(JSON.parse(storage.items.get('app.tokens')!)).toEqual(pair);
    expect(new StorageTokenStore(storage, 'app.tokens').get()).toEqual(pair); // survives a reload
    store.clear();
    expect(storage.items.has('app.tokens')).toBe(false);
  });

  it.each(['not json', '{"access":1,"refresh":"r"}', 'null', '"a string"'])(
    'StorageTokenStore reads a corrupt entry %p as logged out',
    (raw) => {
      const storage = new FakeStorage();
      storage.setItem('hourglass.tokens', raw);
      expect(new StorageTokenStore(storage).get()).toBeNull();
    },
  );
});
