import { ClientRequest, IncomingMessage, request as httpRequest } from 'node:http';

/**
 * HTTP on a new TCP connection per request (no keep-alive agent): a cluster hands out
 * connections, not requests, so this is how requests spread over its processes.
 */
export interface FreshResponse {
  status: number;
  body: unknown;
}

export function call(
  port: number,
  method: string,
  path: string,
  options: { body?: unknown; headers?: Record<string, string> } = {},
): Promise<FreshResponse> {
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        agent: false,
        headers: {
          ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
          ...options.headers,
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {
            // Not JSON (the metrics text): kept as a string.
          }
          resolve({ status: res.statusCode ?? 0, body });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** One Server-Sent Event as the stream carried it. */
export interface StreamedEvent {
  type: string;
  data: unknown;
}

/** An open SSE stream on a connection of its own; `close()` hangs up. */
export class EventStream {
  readonly events: StreamedEvent[] = [];
  private buffer = '';

  private constructor(private readonly req: ClientRequest) {}

  static open(port: number, path: string, headers: Record<string, string>): Promise<EventStream> {
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        { host: '127.0.0.1', port, path, agent: false, headers: { accept: 'text/event-stream', ...headers } },
        (res: IncomingMessage) => {
          if (res.statusCode !== 200) {
            reject(new Error(`${path} answered ${res.statusCode}`));
            return;
          }
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => stream.take(chunk));
          resolve(stream);
        },
      );
      const stream = new EventStream(req);
      req.on('error', (error) => (stream.events.length === 0 ? reject(error) : undefined));
      req.end();
    });
  }

  close(): void {
    this.req.destroy();
  }

  private take(chunk: string): void {
    this.buffer += chunk;
    let end: number;
    while ((end = this.buffer.indexOf('\n\n')) >= 0) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      const fields = block.split('\n').filter((line) => !line.startsWith(':'));
      const type = fields.find((line) => line.startsWith('event: '))?.slice('event: '.length);
      const data = fields
        .filter((line) => line.startsWith('data: '))
        .map((line) => line.slice('data: '.length))
        .join('\n');
      if (type !== undefined) {
        this.events.push({ type, data: JSON.parse(data) as unknown });
      }
    }
  }
}
