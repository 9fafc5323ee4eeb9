import { NextFunction, Request, Response } from 'express';
import { NullCharacterError } from './request-errors';

/** Field paths in an answer are cut to this length: a client chose the keys. */
const MAX_SHOWN_PATH = 100;

/**
 * U+0000 reaches a path or query parameter only as `%00` (Node refuses a raw NUL in the URL): one
 * look at the URL covers every route's path and query, those of routes yet to be written included.
 */
export function refuseNullCharactersInUrl(request: Request, _response: Response, next: NextFunction): void {
  next(request.url.includes('%00') ? new NullCharacterError('in the URL') : undefined);
}

/**
 * The path (`a.b.0`, `''` for the body itself) of the first string of a parsed body, key or value,
 * that holds U+0000; `undefined` when none does. Iterative: it never recurses, whatever the depth.
 */
export function nullCharacterPath(body: unknown): string | undefined {
  const pending: Array<{ value: unknown; path: string }> = [{ value: body, path: '' }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const { value, path } = next;
    if (typeof value === 'string') {
      if (value.includes('\u0000')) {
        return path;
      }
    } else if (typeof value === 'object' && value !== null) {
      for (const [key, item] of Object.entries(value)) {
        const itemPath = path === '' ? key : `${path}.${key}`;
        if (key.includes('\u0000')) {
          return itemPath;
        }
        pending.push({ value: item, path: itemPath });
      }
    }
  }
  return undefined;
}

/** The error for a body whose string at `path` (see `nullCharacterPath`) holds U+0000. */
export function nullCharacterInBody(path: string): NullCharacterError {
  const shown = JSON.stringify(path.replaceAll('\u0000', '\\0').slice(0, MAX_SHOWN_PATH));
  return new NullCharacterError(path === '' ? 'in the body' : `in ${shown}`);
}
