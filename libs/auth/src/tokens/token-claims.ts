import { randomUUID } from 'node:crypto';
import { ROLES, Role } from '../users/user.entity';

export type TokenType = 'access' | 'refresh';

/** simplejwt's claims (`token_type`, `exp`, `iat`, `jti`, `user_id`) plus our `role`. */
export interface TokenClaims {
  token_type: TokenType;
  exp: number;
  iat: number;
  jti: string;
  user_id: number;
  role: Role;
}

/** A jti as simplejwt makes it: a UUID4 in hex, no dashes. */
export function newJti(): string {
  return randomUUID().replace(/-/g, '');
}

/** Claims of a new token issued at `issuedAt` (seconds) living `lifetimeMs` (rounded up to seconds). */
export function newClaims(
  type: TokenType,
  user: { id: number; role: Role },
  issuedAt: number,
  lifetimeMs: number,
): TokenClaims {
  return {
    token_type: type,
    exp: issuedAt + Math.ceil(lifetimeMs / 1000),
    iat: issuedAt,
    jti: newJti(),
    user_id: user.id,
    role: user.role,
  };
}

/** The claims of a verified payload, or `undefined` when one is missing or of the wrong form. */
export function readClaims(payload: Record<string, unknown>): TokenClaims | undefined {
  const { token_type, exp, iat, jti, user_id, role } = payload;
  const valid =
    (token_type === 'access' || token_type === 'refresh') &&
    Number.isInteger(exp) &&
    Number.isInteger(iat) &&
    typeof jti === 'string' &&
    jti.length > 0 &&
    jti.length <= 64 &&
    Number.isInteger(user_id) &&
    typeof role === 'string' &&
    (ROLES as readonly string[]).includes(role);
  return valid
    ? { token_type, exp: exp as number, iat: iat as number, jti, user_id: user_id as number, role: role as Role }
    : undefined;
}
