import { ArgumentsHost, Logger, NotFoundException } from '@nestjs/common';
import { AllExceptionsFilter } from './all-exceptions.filter';

/** A minimal Express request/response pair behind an ArgumentsHost, recording what is sent. */
function httpHost() {
  const sent: { status?: number; body?: unknown; headers: Record<string, string> } = { headers: {} };
  const response = {
    headersSent: false,
    setHeader: (name: string, value: string) => (sent.headers[name] = value),
    status(code: number) {
      sent.status = code;
      return this;
    },
    json: (body: unknown) => (sent.body = body),
  };
  const request = { method: 'GET', path: '/api/probe/bug', originalUrl: '/api/probe/bug?x=1' };
  const host = {
    getType: () => 'http',
    switchToHttp: () => ({ getRequest: () => request, getResponse: () => response }),
  } as unknown as ArgumentsHost;
  return { host, sent };
}

describe(AllExceptionsFilter.name, () => {
  afterEach(() => jest.restoreAllMocks());

  it('answers a bug 500 with an errorId that its log line carries, and never the stack', () => {
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const { host, sent } = httpHost();
    new AllExceptionsFilter(() => undefined).catch(new Error('secret internals'), host);

    expect(sent.status).toBe(500);
    const body = sent.body as Record<string, unknown>;
    expect(body).toEqual({ detail: 'A server error occurred.', code: 'internal_error', errorId: expect.any(String) });
    expect(body.errorId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(JSON.stringify(body)).not.toContain('secret internals');
    expect(logged).toHaveBeenCalledTimes(1);
    const [fields, message] = logged.mock.calls[0] as [Record<string, unknown>, string];
    expect(fields.errorId).toBe(body.errorId);
    expect(fields.reqId).toEqual(expect.any(Number)); // the request's access line carries it too
    expect(message).toContain(String(body.errorId));
  });

  it('gives every 500 its own errorId', () => {
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const ids = [1, 2].map(() => {
      const { host, sent } = httpHost();
      new AllExceptionsFilter(() => undefined).catch(new TypeError('x'), host);
      return (sent.body as { errorId: string }).errorId;
    });
    expect(ids[0]).not.toBe(ids[1]);
  });

  it('adds no errorId to a client error', () => {
    const { host, sent } = httpHost();
    new AllExceptionsFilter(() => undefined).catch(new NotFoundException('No such token'), host);
    expect(sent.status).toBe(404);
    expect(sent.body).toEqual({ detail: 'No such token.', code: 'not_found' });
  });
});
