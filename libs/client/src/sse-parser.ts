/** One event of a `text/event-stream`, as the WHATWG parsing rules dispatch it. */
export interface ServerSentEvent {
  /** `event:` field; `message` when the event has none. */
  type: string;
  /** The `data:` lines joined by `\n`. */
  data: string;
  /** `id:` field, when the event has one. */
  id?: string;
}

const LINE_END = /\r\n|\r|\n/;

/**
 * An incremental `text/event-stream` parser (the WHATWG rules): text goes in chunk by chunk,
 * split anywhere, and each complete event comes out through `emit`. Comments (`: keep-alive`) and
 * `retry:` are skipped; an event without data is not dispatched.
 */
export class SseParser {
  private buffer = '';
  private type = '';
  private data: string[] = [];
  private id: string | undefined;

  constructor(private readonly emit: (event: ServerSentEvent) => void) {}

  push(text: string): void {
    this.buffer += text;
    for (;;) {
      const end = LINE_END.exec(this.buffer);
      // A CR at the very end may be the first half of a CRLF split across chunks.
      if (end === null || (end[0] === '\r' && end.index === this.buffer.length - 1)) {
        return;
      }
      const line = this.buffer.slice(0, end.index);
      this.buffer = this.buffer.slice(end.index + end[0].length);
      this.line(line);
    }
  }

  private line(line: string): void {
    if (line === '') {
      this.dispatch();
      return;
    }
    if (line.startsWith(':')) {
      return; // a comment: keep-alives
    }
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) {
      value = value.slice(1);
    }
    if (field === 'event') {
      this.type = value;
    } else if (field === 'data') {
      this.data.push(value);
    } else if (field === 'id' && !value.includes('\0')) {
      this.id = value;
    }
  }

  private dispatch(): void {
    const data = this.data;
    const type = this.type;
    this.data = [];
    this.type = '';
    if (data.length === 0) {
      return;
    }
    this.emit({ type: type || 'message', data: data.join('\n'), ...(this.id === undefined ? {} : { id: this.id }) });
  }
}
