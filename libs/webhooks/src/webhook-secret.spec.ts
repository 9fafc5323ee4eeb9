import { loadConfig } from '@app/config';
import { Webhook } from 'standardwebhooks';
import { WebhookSecretCipher, generateWebhookSecret, validateWebhookSecret } from './webhook-secret';
import { signedHeaders } from './webhook-sender';
import { InvalidWebhookSecretError } from './webhooks.errors';

const KEY = 'k'.repeat(40);
const cipherWith = (env: Record<string, string>) =>
  new WebhookSecretCipher(loadConfig({ DATA_DIR: '/tmp/unused', ...env }).config);

describe('webhook secrets', () => {
  it('generates Standard Webhooks secrets that the reference library signs and verifies with', () => {
    const secret = generateWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(validateWebhookSecret(secret)).toBe(secret);
    const body = '{"id":"e1"}';
    const headers = signedHeaders('e1', secret, body, new Date());
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    expect(new Webhook(secret).verify(body, headers)).toEqual({ id: 'e1' });
    expect(() => new Webhook(generateWebhookSecret()).verify(body, headers)).toThrow('No matching signature found');
  });

  it.each([
    'secret',
    'whsec_',
    'whsec_not base64!',
    `whsec_${Buffer.alloc(8).toString('base64')}`,
    `whsec_${Buffer.alloc(65).toString('base64')}`,
  ])('refuses %j', (secret) => {
    expect(() => validateWebhookSecret(secret)).toThrow(InvalidWebhookSecretError);
  });

  it('seals a secret so that only the same key opens it', () => {
    const secret = generateWebhookSecret();
    const sealed = cipherWith({ JWT_SIGNING_KEY: KEY }).seal(secret);
    expect(sealed).not.toContain(secret.slice(6));
    expect(cipherWith({ JWT_SIGNING_KEY: KEY }).open(sealed)).toBe(secret);
    expect(cipherWith({ JWT_SIGNING_KEY: 'o'.repeat(40) }).open(sealed)).toBeUndefined();
    expect(cipherWith({ JWT_SIGNING_KEY: KEY, WEBHOOK_SECRETS_KEY: 'w'.repeat(40) }).open(sealed)).toBeUndefined();
  });
});
