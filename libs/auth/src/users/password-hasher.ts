import { Injectable } from '@nestjs/common';
import argon2 from 'argon2';

/** argon2id hashes in PHC form (salt and parameters inside the string). */
@Injectable()
export class PasswordHasher {
  /** Verified against when the username is unknown, so both paths cost one argon2 run. */
  private decoy?: Promise<string>;

  hash(password: string): Promise<string> {
    return argon2.hash(password, { type: argon2.argon2id });
  }

  async verify(hash: string, password: string): Promise<boolean> {
    try {
      return await argon2.verify(hash, password);
    } catch {
      // A malformed stored hash is a wrong password, not a 500.
      return false;
    }
  }

  /** Spends the time of a verification without a user, against timing-based username probing. */
  async burn(password: string): Promise<void> {
    this.decoy ??= this.hash('decoy password, never matches');
    await this.verify(await this.decoy, password);
  }
}
