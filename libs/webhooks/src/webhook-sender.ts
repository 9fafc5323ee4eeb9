import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Injectable } from '@nestjs/common';
import { Webhook } from 'standardwebhooks';
import { publicOnlyLookup, refusedLiteral } from './webhook-url-policy';

export interface WebhookRequest {
  url: string;
  /** `webhook-id`: the event's id, the same at every attempt, for receivers to deduplicate on. */
  messageId: string;
  body: string;
  secret: string;
  timeoutMs: number;
  allowPrivate: boolean;
  /** Aborts the request (the process is shutting down). */
  signal: AbortSignal;
}

export type SendOutcome =
  | { delivered: true; statusCode: number }
  | { delivered: false; statusCode: number | null; error: string; interrupted: boolean };

const MAX_ERROR_LENGTH = 300;

/** The Standard Webhooks headers of one attempt: signed over `<id>.<timestamp>.<body>` with the subscription's secret. */
export function signedHeaders(messageId: string, secret: string, body: string, at: Date): Record<string, string> {
  return {
    'webhook-id': messageId,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(messageId, at, body),
  };
}

/**
 * Sends one webhook attempt: `POST` of the CloudEvent with the Standard Webhooks headers. Any
 * 2xx answer delivers it; its body is not read. Redirects are not followed (a 3xx is a failure).
 * The whole exchange (DNS, connection, answer headers) is bounded by `timeoutMs`, and the target
 * address must be public unless `allowPrivate` (checked on the address actually connected to).
 * Never rejects: a failure is an outcome with a short error, which never holds the secret.
 */
@Injectable()
export class WebhookSender {
  send(request: WebhookRequest): Promise<SendOutcome> {
    const url = new URL(request.url);
    const refused = refusedLiteral(url, request.allowPrivate);
    if (refused !== undefined) {
      return Promise.resolve({ delivered: false, statusCode: null, error: refused.message, interrupted: false });
    }
    const headers = {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(request.body)),
      'user-agent': 'Hourglass-Webhooks/1',
      ...signedHeaders(request.messageId, request.secret, request.body, new Date()),
    };
    const timeout = AbortSignal.timeout(request.timeoutMs);
    const signal = AbortSignal.any([timeout, request.signal]);
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<SendOutcome>((resolve) => {
      const outgoing = send(
        url,
        { method: 'POST', headers, agent: false, lookup: publicOnlyLookup(request.allowPrivate), signal },
        (response) => {
          const statusCode = response.statusCode ?? 0;
          response.destroy(); // the answer's body does not matter, and a slow one must not hold the slot
          resolve(
            statusCode >= 200 && statusCode < 300
              ? { delivered: true, statusCode }
              : { delivered: false, statusCode, error: `HTTP ${statusCode}`, interrupted: false },
          );
        },
      );
      outgoing.on('error', (error) => {
        const interrupted = request.signal.aborted;
        const reason = timeout.aborted
          ? `timed out after ${request.timeoutMs} ms`
          : interrupted
            ? 'interrupted: the sender shut down'
            : error.message;
        resolve({ delivered: false, statusCode: null, error: reason.slice(0, MAX_ERROR_LENGTH), interrupted });
      });
      outgoing.end(request.body);
    });
  }
}
