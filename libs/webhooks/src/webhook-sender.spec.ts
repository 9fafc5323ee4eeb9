import { WebhookReceiver } from '@app/testing';
import { Webhook } from 'standardwebhooks';
import { generateWebhookSecret } from './webhook-secret';
import { WebhookRequest, WebhookSender } from './webhook-sender';

describe(WebhookSender.name, () => {
  const sender = new WebhookSender();
  const secret = generateWebhookSecret();
  const receivers: WebhookReceiver[] = [];
  const attempt = (url: string, change: Partial<WebhookRequest> = {}) =>
    sender.send({
      url,
      messageId: 'evt-1',
      body: '{"specversion":"1.0","id":"evt-1"}',
      secret,
      timeoutMs: 2000,
      allowPrivate: true,
      signal: new AbortController().signal,
      ...change,
    });
  async function receiver(script: (number | 'hang')[]) {
    const created = new WebhookReceiver(script);
    receivers.push(created);
    return { target: created, url: await created.start() };
  }
  afterAll(() => Promise.all(receivers.map((r) => r.stop())));

  it('posts the body with Standard Webhooks headers that verify, and calls a 2xx delivered', async () => {
    const { target, url } = await receiver([202]);
    expect(await attempt(url)).toEqual({ delivered: true, statusCode: 202 });
    const [received] = target.requests;
    expect(received.headers).toMatchObject({ 'content-type': 'application/json', 'webhook-id': 'evt-1' });
    expect(new Webhook(secret).verify(received.body, received.headers as Record<string, string>)).toEqual({
      specversion: '1.0',
      id: 'evt-1',
    });
  });

  it('calls any other answer, a redirect included, a failure with its status code', async () => {
    const { url } = await receiver([302]);
    expect(await attempt(url)).toEqual({ delivered: false, statusCode: 302, error: 'HTTP 302', interrupted: false });
  });

  it('gives up on a target that does not answer within the timeout', async () => {
    const { url } = await receiver(['hang']);
    const started = Date.now();
    expect(await attempt(url, { timeoutMs: 300 })).toEqual({
      delivered: false,
      statusCode: null,
      error: 'timed out after 300 ms',
      interrupted: false,
    });
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('says when it was interrupted by a shutdown', async () => {
    const { url } = await receiver(['hang']);
    const shutdown = new AbortController();
    const sending = attempt(url, { signal: shutdown.signal });
    setTimeout(() => shutdown.abort(), 100);
    expect(await sending).toMatchObject({
      delivered: false,
      error: 'interrupted: the sender shut down',
      interrupted: true,
    });
  });

  it('refuses, at delivery time, a target whose address is not public: an IP literal or a name that resolves to one', async () => {
    const { target, url } = await receiver([200]);
    const byName = url.replace('127.0.0.1', 'localhost');
    expect(await attempt(url, { allowPrivate: false })).toMatchObject({
      delivered: false,
      error: 'refused: the target resolves to 127.0.0.1, a loopback address (WEBHOOK_ALLOW_PRIVATE=false)',
    });
    expect(await attempt(byName, { allowPrivate: false })).toMatchObject({
      delivered: false,
      error: expect.stringMatching(/^refused: the target resolves to (127\.0\.0\.1|::1), a loopback address/),
    });
    expect(target.requests).toEqual([]);
  });

  it('reports a connection failure in a short line', async () => {
    const outcome = await attempt('http://127.0.0.1:9/');
    expect(outcome).toMatchObject({ delivered: false, statusCode: null, error: 'connect ECONNREFUSED 127.0.0.1:9' });
  });
});
