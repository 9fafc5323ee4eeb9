import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { NestExpressApplication } from '@nestjs/platform-express';
import { NextFunction, Request, Response } from 'express';

/** Where the web console is served (CONTRACT §10). */
export const CONSOLE_PATH = '/console';

/** The checkout's root: the nearest folder above this file with a package.json (source or dist/ build alike). */
function checkoutRoot(from: string): string {
  let dir = from;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) {
      return process.cwd();
    }
    dir = parent;
  }
  return dir;
}

/** `vite build` writes the console here (apps/console/vite.config.ts). */
export const CONSOLE_DIST = join(checkoutRoot(__dirname), 'dist', 'console');

/**
 * Serves the built console at `/console/`: its hashed assets with a year's cache (a new build
 * has new names), anything else under `/console/` gets index.html (the single-page app routes by
 * itself), never cached so a new build is picked up at once. Only files from disk: the console
 * talks to the API like any other client. Without a build, a 404 says how to make one.
 */
export function serveConsole(app: NestExpressApplication): void {
  app.use(`${CONSOLE_PATH}/assets`, precompressed);
  app.useStaticAssets(join(CONSOLE_DIST, 'assets'), {
    prefix: `${CONSOLE_PATH}/assets/`,
    immutable: true,
    maxAge: '365d',
    index: false,
    fallthrough: false,
  });
  let indexHtml: string | undefined;
  app.use(CONSOLE_PATH, (request: Request, response: Response, next: NextFunction) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      next();
      return;
    }
    if (request.originalUrl === CONSOLE_PATH) {
      response.redirect(301, `${CONSOLE_PATH}/`);
      return;
    }
    indexHtml ??= readIndex();
    if (indexHtml === undefined) {
      response
        .status(404)
        .json({ detail: 'The console is not built: run `npm run build`.', code: 'console_not_built' });
      return;
    }
    response.setHeader('Cache-Control', 'no-cache');
    response.type('html').send(indexHtml);
  });
}

const ENCODINGS = [
  ['br', '.br'],
  ['gzip', '.gz'],
] as const;

/**
 * A script or stylesheet as the build precompressed it (scripts/run-built.cjs writes `.br` and
 * `.gz` beside each), when the browser accepts that encoding: a third of the bytes on first load,
 * at no CPU cost per request. The static server below then serves the chosen file.
 */
function precompressed(request: Request, response: Response, next: NextFunction): void {
  const type = /\.(js|css)$/.exec(request.path)?.[1];
  if (!type || request.path.includes('..') || (request.method !== 'GET' && request.method !== 'HEAD')) {
    next();
    return;
  }
  const encoding = ENCODINGS.find(
    ([name, suffix]) =>
      request.acceptsEncodings(name) === name && existsSync(join(CONSOLE_DIST, 'assets', request.path + suffix)),
  );
  response.vary('Accept-Encoding');
  if (encoding) {
    response.setHeader('Content-Encoding', encoding[0]);
    response.type(type);
    request.url = `${request.path}${encoding[1]}`;
  }
  next();
}

function readIndex(): string | undefined {
  try {
    return readFileSync(join(CONSOLE_DIST, 'index.html'), 'utf8');
  } catch {
    return undefined;
  }
}
