import { randomBytes } from 'node:crypto';
import { SealedText } from '@app/common';
import { AppConfig } from '@app/config';
import { Injectable } from '@nestjs/common';
import { InvalidWebhookSecretError } from './webhooks.errors';

const PREFIX = 'whsec_';
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** A new Standard Webhooks secret: `whsec_` + base64 of 32 random bytes. */
export function generateWebhookSecret(): string {
  return PREFIX + randomBytes(32).toString('base64');
}

/** Checks a secret an admin chose: Standard Webhooks form, 24 to 64 bytes of key. */
export function validateWebhookSecret(secret: string): string {
  const body = secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : undefined;
  if (body === undefined || body.length % 4 !== 0 || !BASE64.test(body)) {
    throw new InvalidWebhookSecretError();
  }
  const bytes = Buffer.from(body, 'base64').length;
  if (bytes < 24 || bytes > 64) {
    throw new InvalidWebhookSecretError();
  }
  return secret;
}

/**
 * AES-256-GCM for the signing secrets at rest, so that a database dump alone cannot forge
 * deliveries. The key comes from WEBHOOK_SECRETS_KEY, else from JWT_SIGNING_KEY (always set:
 * generated once into DATA_DIR in development, so it survives restarts; required in production).
 */
@Injectable()
export class WebhookSecretCipher {
  private readonly sealed: SealedText;

  constructor(config: AppConfig) {
    const secret = config.WEBHOOK_SECRETS_KEY ?? config.JWT_SIGNING_KEY ?? config.JWT_PRIVATE_KEY ?? '';
    this.sealed = new SealedText(secret, 'webhook signing secret v1');
  }

  seal(plain: string): string {
    return this.sealed.seal(plain);
  }

  /** The secret, or `undefined` if it was sealed with another key. */
  open(sealed: string): string | undefined {
    return this.sealed.open(sealed);
  }
}
