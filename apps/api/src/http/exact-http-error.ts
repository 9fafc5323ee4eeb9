/**
 * An error whose HTTP answer is fixed by a contract we must match byte for byte (simplejwt's
 * `{"password":["This field is required."]}`, its 401 bodies and `WWW-Authenticate` header).
 * The exception filter sends `body` and `headers` verbatim; everything else gets `{detail, code}`.
 */
export class ExactHttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
    readonly headers: Record<string, string> = {},
  ) {
    super(typeof body.detail === 'string' ? body.detail : `HTTP ${status}`);
    this.name = 'ExactHttpError';
  }
}
