import { randomBytes } from 'node:crypto';

/** 192 random bits (more than the 128 asked for), base64url: 32 characters, safe in a URL and a QR code. */
const TOKEN_BYTES = 24;
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{32}$/;

export function newExchangeToken(): string {
  return randomBytes(TOKEN_BYTES).toString('base64url');
}

/** A value that cannot be a token is answered 404 without touching the database. */
export function isExchangeTokenShape(value: unknown): value is string {
  return typeof value === 'string' && TOKEN_SHAPE.test(value);
}
