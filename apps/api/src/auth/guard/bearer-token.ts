import { badAuthorizationHeader } from '../simplejwt-errors';

/** The raw token of `Authorization: Bearer <token>`; `undefined` when there is none or another scheme. */
export function bearerToken(header: string | undefined): string | undefined {
  const parts = (header ?? '')
    .trim()
    .split(/\s+/)
    .filter((part) => part !== '');
  if (parts.length === 0 || parts[0] !== 'Bearer') {
    return undefined;
  }
  if (parts.length !== 2) {
    throw badAuthorizationHeader();
  }
  return parts[1];
}
