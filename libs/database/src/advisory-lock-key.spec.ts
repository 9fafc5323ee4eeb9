import { advisoryLockKey } from './advisory-lock-key';

describe(advisoryLockKey.name, () => {
  it('gives the same key for the same name in every process', () => {
    expect(advisoryLockKey('ledger.expiry-sweep')).toBe(advisoryLockKey('ledger.expiry-sweep'));
    // Pinned: replicas of different builds must agree on the key.
    expect(advisoryLockKey('hourglass')).toBe('-5827476714467760005');
  });

  it('gives different names different keys within the signed 64-bit range', () => {
    const keys = ['a', 'b', 'vinted.refresh', 'ledger.expiry-sweep'].map((name) => BigInt(advisoryLockKey(name)));
    expect(new Set(keys).size).toBe(keys.length);
    for (const key of keys) {
      expect(key >= -(2n ** 63n) && key < 2n ** 63n).toBe(true);
    }
  });
});
