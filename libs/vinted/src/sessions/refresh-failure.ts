/**
 * Why the last refresh of a session failed, stored in `vinted_sessions.last_error_kind` (its
 * CHECK lists the same values) beside the human reason in `last_error`:
 * - `configuration`: the stored session cannot be decrypted with the secrets this server has;
 * - `dead`: Vinted refused the refresh token (401), only new cookies help;
 * - `blocked`: anti-bot (captcha, 429), retried after a back-off;
 * - `transient`: 5xx, network, timeout or a malformed answer, retried after a back-off.
 */
export const REFRESH_FAILURE_KINDS = ['configuration', 'dead', 'blocked', 'transient'] as const;
export type RefreshFailureKind = (typeof REFRESH_FAILURE_KINDS)[number];

/**
 * The `lastError` people read (HTTP, CLI): `<kind>: <reason>`, as the contract shows it. Built
 * only for display; decisions read the kind itself.
 */
export function describeRefreshFailure(kind: RefreshFailureKind | null, reason: string | null): string | null {
  if (kind === null) {
    return reason;
  }
  return `${kind}: ${reason ?? ''}`;
}
