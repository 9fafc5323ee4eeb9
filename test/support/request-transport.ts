import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';

/** How a request body travels: its `Content-Type` and `Content-Encoding`, and what its bytes really are. */
export interface Transport {
  contentType?: string;
  contentEncoding?: string;
  /** Whether the bytes are compressed with `contentEncoding` (when it names a coding Node has) or sent plain. */
  encoded: boolean;
  /** Whether the (encoded) bytes lose their last few: a stream cut short. */
  truncated: boolean;
}

/** What a JSON client sends: the transport of every case that varies something else. */
export const JSON_TRANSPORT: Transport = { contentType: 'application/json', encoded: false, truncated: false };

const ENCODERS: Record<string, (bytes: Buffer) => Buffer> = {
  gzip: gzipSync,
  'x-gzip': gzipSync,
  deflate: deflateSync,
  br: brotliCompressSync,
};

const MEDIA_TYPES = [
  'application/json',
  'APPLICATION/JSON',
  'application/x-www-form-urlencoded',
  'text/plain',
  'application/octet-stream',
  'application/merge-patch+json',
  'multipart/form-data; boundary=x',
];
const CHARSETS = [
  'utf-8',
  'UTF-8',
  '"utf-8"',
  'utf8',
  'utf-16',
  'utf-16le',
  'utf-32',
  'latin1',
  'iso-8859-1',
  'us-ascii',
  'cp1252',
  'utf-7',
  'x-no-such-charset',
  '',
];
const MALFORMED_CONTENT_TYPES = [
  'application/json; charset',
  'application/json;;',
  'application/json; charset=utf-8; charset=latin1',
  'application/json; charset="utf-16',
  'application/json; =utf-8',
  '*/*',
  'garbage',
  ';',
  '',
];
const CODINGS = [
  'gzip',
  'deflate',
  'br',
  'GZIP',
  'Br',
  'identity',
  '',
  'zstd',
  'compress',
  'x-gzip',
  'x-compress',
  'gzip, br',
  'identity, gzip',
  'exi',
  '*',
  'garbage',
];

/** Transport-level variations: media types (JSON, form, text, none, malformed), charsets, content codings. */
export const transportVariation: fc.Arbitrary<Transport> = fc.record({
  contentType: fc.oneof(
    {
      weight: 4,
      arbitrary: fc
        .tuple(fc.constantFrom(...MEDIA_TYPES), fc.option(fc.constantFrom(...CHARSETS), { nil: undefined }))
        .map(([type, charset]) => (charset === undefined ? type : `${type}; charset=${charset}`)),
    },
    { weight: 1, arbitrary: fc.constantFrom(...MALFORMED_CONTENT_TYPES) },
    { weight: 1, arbitrary: fc.constant(undefined) },
  ),
  contentEncoding: fc.option(fc.constantFrom(...CODINGS), { nil: undefined, freq: 2 }),
  encoded: fc.boolean(),
  truncated: fc.nat({ max: 4 }).map((draw) => draw === 0),
});

/** A body compressed as Node's gzip, like a client that compresses its requests: the depth limit holds after inflating. */
export const GZIP_JSON_TRANSPORT: Transport = { ...JSON_TRANSPORT, contentEncoding: 'gzip', encoded: true };

/** A JSON value as a form body: top-level fields, each a string (other values as their JSON). */
function formOf(value: object): string {
  const fields = Object.entries(value).map(([name, field]): [string, string] => [
    name,
    typeof field === 'string' ? field : (JSON.stringify(field) ?? ''),
  ]);
  return new URLSearchParams(fields).toString();
}

/** The bytes that carry `body` as `transport` says. */
export function bytesOf(body: { json?: unknown; raw?: string }, transport: Transport): Buffer {
  const isForm = transport.contentType?.toLowerCase().startsWith('application/x-www-form-urlencoded') ?? false;
  const json = body.json ?? null;
  const text = body.raw ?? (isForm && typeof json === 'object' && json !== null ? formOf(json) : JSON.stringify(json));
  let bytes: Buffer = Buffer.from(text, 'utf8');
  const encode = ENCODERS[transport.contentEncoding?.toLowerCase() ?? ''];
  if (transport.encoded && encode !== undefined) {
    bytes = encode(bytes);
  }
  return transport.truncated ? bytes.subarray(0, Math.max(0, bytes.length - 4)) : bytes;
}

/** How a failure report names the transport. */
export function describeTransport(transport: Transport): string {
  const coding = transport.contentEncoding === undefined ? '' : ` Content-Encoding: ${transport.contentEncoding}`;
  const bytes = transport.encoded ? ' (encoded)' : '';
  return `Content-Type: ${transport.contentType ?? '(none)'}${coding}${bytes}${transport.truncated ? ' (truncated)' : ''}`;
}
