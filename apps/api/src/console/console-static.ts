import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
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
  app.use(CONSOLE_PATH, (request: Request, response: Response, next: NextFunction) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      next();
      return;
    }
    if (request.originalUrl === CONSOLE_PATH) {
      response.redirect(301, `${CONSOLE_PATH}/`);
      return;
    }
    const indexHtml = currentBuild()?.html;
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
  const copies = (build ?? currentBuild())?.compressed; // read once, then only with a page load
  const encoding = ENCODINGS.find(
    ([name, suffix]) => request.acceptsEncodings(name) === name && copies?.has(request.path.slice(1) + suffix),
  );
  response.vary('Accept-Encoding');
  if (encoding) {
    response.setHeader('Content-Encoding', encoding[0]);
    response.type(type);
    request.url = `${request.path}${encoding[1]}`;
  }
  next();
}

interface ConsoleBuild {
  indexMtimeMs: number;
  html: string;
  /** The `.br`/`.gz` copies the build made, by file name. */
  compressed: Set<string>;
}

/** The build last read from disk; the assets' encodings are looked up here, never on disk per request. */
let build: ConsoleBuild | undefined;

/**
 * The build on disk, read again when index.html changed (a rebuild while the API runs: Vite empties
 * dist/console/, so the old page would name assets that are gone). One stat per page load.
 */
function currentBuild(): ConsoleBuild | undefined {
  const index = join(CONSOLE_DIST, 'index.html');
  try {
    const indexMtimeMs = statSync(index).mtimeMs;
    if (build?.indexMtimeMs !== indexMtimeMs) {
      const assets = readdirSync(join(CONSOLE_DIST, 'assets')).filter((name) => /\.(br|gz)$/.test(name));
      build = { indexMtimeMs, html: readFileSync(index, 'utf8'), compressed: new Set(assets) };
    }
  } catch {
    build = undefined; // not built (or being rebuilt): 404 with how to build it
  }
  return build;
}
