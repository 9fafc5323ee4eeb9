import { SseParser, type ServerSentEvent } from './sse-parser';

function parse(chunks: string[]): ServerSentEvent[] {
  const events: ServerSentEvent[] = [];
  const parser = new SseParser((event) => events.push(event));
  chunks.forEach((chunk) => parser.push(chunk));
  return events;
}

describe(SseParser.name, () => {
  const stream =
    '\nevent: status\nid: 1\ndata: {"status":"pending"}\n\n: keep-alive\n\nevent: qr_generated\nid: 2\ndata: {"a":1}\n\n';

  it('dispatches named events with their data and id, and skips keep-alive comments', () => {
    expect(parse([stream])).toEqual([
      { type: 'status', id: '1', data: '{"status":"pending"}' },
      { type: 'qr_generated', id: '2', data: '{"a":1}' },
    ]);
  });

  it('gives the same events whichever way the text is split, CRLF halves included', () => {
    const crlf = stream.replace(/\n/g, '\r\n');
    for (const text of [stream, crlf]) {
      const oneByOne = parse([...text]);
      expect(oneByOne).toEqual(parse([text]));
      expect(oneByOne).toHaveLength(2);
    }
  });

  it('joins data lines, defaults the type to message, and drops events without data', () => {
    expect(parse(['data: a\ndata:b\n\nevent: empty\n\nretry: 5\ndata\n\n'])).toEqual([
      { type: 'message', data: 'a\nb' },
      { type: 'message', data: '' },
    ]);
  });
});
