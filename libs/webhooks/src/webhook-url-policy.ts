import { LookupAddress, lookup } from 'node:dns';
import { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';
import { InvalidWebhookUrlError, PrivateWebhookUrlError } from './webhooks.errors';

const MAX_URL_LENGTH = 2048;
/** A registration does not wait longer than this on DNS; the delivery-time check is the real guard. */
const REGISTRATION_LOOKUP_MS = 3000;

/**
 * The range of a non-public address (`loopback`, `private`, `linkLocal`, `uniqueLocal`,
 * `unspecified`, `carrierGradeNat`, `multicast`…), or `undefined` for a public (global unicast)
 * one. IPv4-mapped IPv6 addresses are judged as the IPv4 address they carry.
 */
export function nonPublicRange(address: string): string | undefined {
  const range = ipaddr.process(address).range();
  return range === 'unicast' ? undefined : range;
}

/** The host of a URL as an IP literal (brackets of IPv6 removed), or `undefined` for a name. */
function ipLiteral(hostname: string): string | undefined {
  const bare = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
  return ipaddr.isValid(bare) ? bare : undefined;
}

/** An absolute `http:` or `https:` URL with a host and no credentials, normalized; else `InvalidWebhookUrlError`. */
export function parseWebhookUrl(raw: string): URL {
  if (raw.length > MAX_URL_LENGTH) {
    throw new InvalidWebhookUrlError(`it is longer than ${MAX_URL_LENGTH} characters`);
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new InvalidWebhookUrlError('it is not an absolute URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InvalidWebhookUrlError(`only http: and https: URLs are accepted, not ${url.protocol}`);
  }
  if (url.hostname === '') {
    throw new InvalidWebhookUrlError('it has no host');
  }
  if (url.username !== '' || url.password !== '') {
    throw new InvalidWebhookUrlError('it carries credentials (user:password@); authenticate with the signature');
  }
  url.hash = '';
  return url;
}

/**
 * Refuses a URL whose host is, or resolves to, a non-public address (unless `allowPrivate`). A
 * name that does not resolve now is accepted: each delivery resolves it again and checks then.
 */
export async function checkWebhookHost(url: URL, allowPrivate: boolean): Promise<void> {
  if (allowPrivate) {
    return;
  }
  const literal = ipLiteral(url.hostname);
  const addresses = literal !== undefined ? [literal] : await resolveQuickly(url.hostname);
  for (const address of addresses) {
    const range = nonPublicRange(address);
    if (range !== undefined) {
      throw new PrivateWebhookUrlError(address, range);
    }
  }
}

function resolveQuickly(hostname: string): Promise<string[]> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve([]), REGISTRATION_LOOKUP_MS);
    lookup(hostname, { all: true }, (error, found) => {
      clearTimeout(timer);
      resolve(error ? [] : found.map((entry) => entry.address));
    });
  });
}

/** A delivery refused because its target is not public: recorded as the attempt's error. */
export class RefusedAddressError extends Error {
  constructor(address: string, range: string) {
    super(`refused: the target resolves to ${address}, a ${range} address (WEBHOOK_ALLOW_PRIVATE=false)`);
  }
}

/** The address check for a request's own host, when the URL names it as an IP literal (no lookup happens then). */
export function refusedLiteral(url: URL, allowPrivate: boolean): RefusedAddressError | undefined {
  const literal = ipLiteral(url.hostname);
  const range = literal === undefined || allowPrivate ? undefined : nonPublicRange(literal);
  return range === undefined || literal === undefined ? undefined : new RefusedAddressError(literal, range);
}

/**
 * A `lookup` for node:http that refuses non-public addresses: the check happens on the very
 * address the socket connects to, so a name re-pointed after registration (DNS rebinding) is
 * refused too.
 */
export function publicOnlyLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    lookup(hostname, { ...options, all: true }, (error, found: LookupAddress[]) => {
      if (error) {
        callback(error, '', 0);
        return;
      }
      const refused = allowPrivate ? undefined : found.find((entry) => nonPublicRange(entry.address) !== undefined);
      if (refused !== undefined) {
        callback(
          Object.assign(new RefusedAddressError(refused.address, nonPublicRange(refused.address) ?? ''), {
            code: 'EADDRREFUSED',
          }),
          '',
          0,
        );
        return;
      }
      if (options.all === true) {
        (callback as unknown as (error: null, addresses: LookupAddress[]) => void)(null, found);
      } else {
        callback(null, found[0].address, found[0].family);
      }
    });
  };
}
