import { SessionCipher, SessionCipherError, deriveSessionKey } from './session-cipher';

const OLD = 'old-secret-0123456789-0123456789-0123456789';
const NEW = 'new-secret-0123456789-0123456789-0123456789';
const JAR = 'access_token_web=eyJhbGciOi.payload.sig; refresh_token_web=eyJ.r.s';

function reason(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    return error instanceof SessionCipherError ? error.reason : 'other';
  }
}

describe(SessionCipher.name, () => {
  it('round-trips, with a fresh nonce each time and nothing of the plain text in the output', () => {
    const cipher = new SessionCipher(NEW);
    const a = cipher.seal(JAR, 'user:1');
    const b = cipher.seal(JAR, 'user:1');
    expect(a.sealed).not.toBe(b.sealed);
    expect(a.keyId).toBe(deriveSessionKey(NEW).id);
    expect(Buffer.from(a.sealed, 'base64url').toString('latin1')).not.toContain('eyJ');
    expect(cipher.open(a.sealed, a.keyId, 'user:1')).toBe(JAR);
  });

  it('detects any modified byte and a ciphertext moved to another row', () => {
    const cipher = new SessionCipher(NEW);
    const { sealed, keyId } = cipher.seal(JAR, 'user:1');
    const bytes = Buffer.from(sealed, 'base64url');
    for (const index of [0, 12, 20, bytes.length - 1]) {
      const tampered = Buffer.from(bytes);
      tampered[index] ^= 0x01;
      expect(reason(() => cipher.open(tampered.toString('base64url'), keyId, 'user:1'))).toBe('tampered');
    }
    expect(reason(() => cipher.open(sealed, keyId, 'user:2'))).toBe('tampered');
    expect(reason(() => cipher.open('short', keyId, 'user:1'))).toBe('tampered');
  });

  it('gives each secret its own stable key id, which reveals nothing of the secret', () => {
    expect(deriveSessionKey(OLD).id).toBe(deriveSessionKey(OLD).id);
    expect(deriveSessionKey(OLD).id).not.toBe(deriveSessionKey(NEW).id);
    expect(deriveSessionKey(OLD).id).toMatch(/^k1-[0-9a-f]{12}$/);
  });

  it('opens rows of the previous secret during a rotation and seals with the new one', () => {
    const before = new SessionCipher(OLD).seal(JAR, 'user:1');
    const rotating = new SessionCipher(NEW, OLD);
    expect(rotating.canOpen(before.keyId)).toBe(true);
    expect(rotating.open(before.sealed, before.keyId, 'user:1')).toBe(JAR);
    expect(rotating.seal(JAR, 'user:1').keyId).toBe(deriveSessionKey(NEW).id);
    expect(reason(() => new SessionCipher(NEW).open(before.sealed, before.keyId, 'user:1'))).toBe('unknown_key');
  });

  it('is unconfigured without a secret and refuses to seal', () => {
    const cipher = new SessionCipher(undefined);
    expect(cipher.configured).toBe(false);
    expect(() => cipher.seal(JAR, 'user:1')).toThrow();
  });

  it('says that the secret is unset, not that the key is another one, when it has no secret at all', () => {
    const stored = new SessionCipher(OLD).seal(JAR, 'user:1');
    const open = () => new SessionCipher(undefined).open(stored.sealed, stored.keyId, 'user:1');
    expect(reason(open)).toBe('no_secret');
    expect(open).toThrow('VINTED_CREDENTIALS_SECRET is not set, so no stored session can be decrypted');
  });
});
