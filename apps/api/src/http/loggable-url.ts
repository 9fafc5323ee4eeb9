const REDACTED = '[redacted]';

/**
 * A request's URL as a log line may show it: the value of a `ticket` query parameter (a stream
 * ticket, a credential) is replaced, however its name is encoded (`%74icket`, `ticket[]`).
 */
export function loggableUrl(url: string): string {
  const start = url.indexOf('?');
  if (start === -1) {
    return url;
  }
  const query = url
    .slice(start + 1)
    .split('&')
    .map((pair) => {
      const equals = pair.indexOf('=');
      const name = equals === -1 ? pair : pair.slice(0, equals);
      return decodedName(name).startsWith('ticket') ? `${name}=${REDACTED}` : pair;
    });
  return `${url.slice(0, start)}?${query.join('&')}`;
}

function decodedName(name: string): string {
  try {
    return decodeURIComponent(name.replace(/\+/g, ' ')).toLowerCase();
  } catch {
    return name.toLowerCase();
  }
}
