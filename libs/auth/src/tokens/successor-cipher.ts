import { SealedText } from '@app/common';
import { AppConfig } from '@app/config';
import { Injectable } from '@nestjs/common';

/**
 * AES-256-GCM for the one raw token we keep: a rotated token's successor, so that a retry of the
 * rotation within the grace window (a lost response) gets the very same successor back. The key
 * is derived from JWT_SIGNING_KEY (always set: generated in development, required in production)
 * so a database dump alone does not reveal live refresh tokens.
 */
@Injectable()
export class SuccessorCipher {
  private readonly sealed: SealedText;

  constructor(config: AppConfig) {
    this.sealed = new SealedText(config.JWT_SIGNING_KEY ?? config.JWT_PRIVATE_KEY ?? '', 'refresh-token successor v1');
  }

  encrypt(plain: string): string {
    return this.sealed.seal(plain);
  }

  /** The plain text, or `undefined` if it was not encrypted with this key. */
  decrypt(sealed: string): string | undefined {
    return this.sealed.open(sealed);
  }
}
