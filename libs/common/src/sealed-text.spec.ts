import { SealedText } from './sealed-text';

describe('SealedText', () => {
  const sealed = new SealedText('server secret', 'purpose v1');

  it('opens what it sealed, with a new nonce every time', () => {
    const first = sealed.seal('whsec_plain');
    const second = sealed.seal('whsec_plain');
    expect(first).not.toEqual(second);
    expect(first).not.toContain('plain');
    expect(sealed.open(first)).toBe('whsec_plain');
    expect(sealed.open(second)).toBe('whsec_plain');
  });

  it('refuses what another secret or another purpose sealed', () => {
    const text = sealed.seal('x');
    expect(new SealedText('another secret', 'purpose v1').open(text)).toBeUndefined();
    expect(new SealedText('server secret', 'another purpose').open(text)).toBeUndefined();
  });

  it('refuses altered or malformed text instead of throwing', () => {
    const bytes = Buffer.from(sealed.seal('points'), 'base64url');
    bytes[bytes.length - 1] ^= 1;
    expect(sealed.open(bytes.toString('base64url'))).toBeUndefined();
    expect(sealed.open('')).toBeUndefined();
    expect(sealed.open('not base64 at all!')).toBeUndefined();
  });
});
