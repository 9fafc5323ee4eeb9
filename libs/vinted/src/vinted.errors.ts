import { AppError } from '@app/common';

/**
 * Errors of the Vinted sessions. None of them ever carries a token or a cookie value: their
 * messages reach HTTP bodies, logs and the CLI's stderr.
 */
export class InvalidVintedCookiesError extends AppError {
  constructor(
    code:
      | 'vinted_cookies_missing_tokens'
      | 'vinted_token_malformed'
      | 'vinted_token_wrong_purpose'
      | 'vinted_refresh_token_expired',
    message: string,
  ) {
    super(code, message, 400);
  }
}

/** VINTED_CREDENTIALS_SECRET is missing, or cannot open what is stored: nothing can be read or stored. */
export class VintedRequiresConfigurationError extends AppError {
  constructor(message = 'Vinted sessions need VINTED_CREDENTIALS_SECRET to be configured on the server.') {
    super('requires_configuration', message, 503, { status: 'requires_configuration' });
  }
}

export class VintedSessionNotFoundError extends AppError {
  constructor() {
    super(
      'vinted_session_not_found',
      'No Vinted session is stored for this account: POST your Vinted cookies to /api/v1/vinted/auth first.',
      404,
    );
  }
}

/** Vinted refused the refresh token (401): only new browser cookies can revive the session. */
export class VintedSessionExpiredError extends AppError {
  constructor() {
    super(
      'vinted_session_expired',
      'The Vinted session has expired: Vinted refused its refresh token. Store new cookies.',
      409,
      { status: 'expired' },
    );
  }
}

/** Anti-bot blocking (captcha, 429) or a back-off still running: retry later, not now. */
export class VintedBlockedError extends AppError {
  constructor(retryAfterSeconds: number) {
    super(
      'vinted_blocked',
      `Vinted is blocking automated requests (captcha or rate limit); the next attempt is allowed in ${retryAfterSeconds} s.`,
      503,
      {
        retryAfterSeconds,
      },
    );
  }
}

/** Vinted failed (5xx, network, timeout, malformed answer): transient, retried with back-off. */
export class VintedUnavailableError extends AppError {
  constructor(reason: string, retryAfterSeconds: number) {
    super(
      'vinted_unavailable',
      `Vinted could not refresh the session (${reason}); the next attempt is allowed in ${retryAfterSeconds} s.`,
      503,
      {
        retryAfterSeconds,
      },
    );
  }
}

/** MAX_CONSECUTIVE_FAILURES refreshes failed in a row: automatic attempts stopped until a human acts. */
export class VintedRefreshGaveUpError extends AppError {
  constructor(failures: number) {
    super(
      'vinted_refresh_failed',
      `Refreshing the Vinted session failed ${failures} times in a row; automatic attempts stopped. Run \`vinted test-refresh\` or store new cookies.`,
      503,
      {
        status: 'error',
      },
    );
  }
}

export class VintedUserNotFoundError extends AppError {
  constructor(username: string) {
    super('user_not_found', `No account named "${username}".`, 404);
  }
}
