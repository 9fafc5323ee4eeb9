import { execFile } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const ROOT = resolve(__dirname, '..');

export type BuiltApp = 'api' | 'cli';

/** The compiled entry point of an app, as `npm run build` lays it out. */
export function distEntry(app: BuiltApp): string {
  return join(ROOT, 'dist', 'apps', app, 'apps', app, 'src', 'main.js');
}

/** What the build of `app` compiles (its tsconfig.app.json): its sources and the libs', tests excluded. */
const SOURCE_DIRS = (app: BuiltApp) => [join(ROOT, 'apps', app, 'src'), join(ROOT, 'libs')];
const SOURCE_FILES = (app: BuiltApp) => [
  join(ROOT, 'tsconfig.json'),
  join(ROOT, 'apps', app, 'tsconfig.app.json'),
  join(ROOT, 'package.json'),
];
const TEST_FILE = /\.(spec|int-spec|e2e-spec)\.ts$/;
/** Written after a build by the bench: tsc's incremental build may leave an unchanged output's mtime alone. */
const MARKER = '.bench-built';

function newest(
  dir: string,
  include: (name: string) => boolean,
  skip: (path: string) => boolean = () => false,
): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (skip(path)) {
      continue;
    }
    if (entry.isDirectory()) {
      latest = Math.max(latest, newest(path, include, skip));
    } else if (include(entry.name)) {
      latest = Math.max(latest, statSync(path).mtimeMs);
    }
  }
  return latest;
}

/** Why `app`'s dist is out of date (missing, or a source newer than every output), or undefined. */
export function staleness(app: BuiltApp): string | undefined {
  const out = join(ROOT, 'dist', 'apps', app);
  if (!existsSync(distEntry(app))) {
    return `${distEntry(app)} is missing`;
  }
  const built = newest(out, () => true);
  const isTestLib = (path: string) =>
    path === join(ROOT, 'libs', 'testing') || path.endsWith('/test') || path.endsWith('/src/testing');
  const sources = Math.max(
    ...SOURCE_DIRS(app).map((dir) => newest(dir, (name) => name.endsWith('.ts') && !TEST_FILE.test(name), isTestLib)),
    ...SOURCE_FILES(app).map((file) => statSync(file).mtimeMs),
  );
  return sources > built ? `a source is newer than dist/apps/${app}` : undefined;
}

/** Builds `apps` with `nest build` where dist is missing or stale, as a user's `npm run build` would. */
export async function ensureBuilt(apps: BuiltApp[], log: (line: string) => void): Promise<void> {
  for (const app of apps) {
    const why = staleness(app);
    if (why === undefined) {
      continue;
    }
    log(`building ${app} (${why})…`);
    const started = Date.now();
    await run(join(ROOT, 'node_modules', '.bin', 'nest'), ['build', app], { cwd: ROOT, timeout: 300_000 });
    writeFileSync(join(ROOT, 'dist', 'apps', app, MARKER), new Date().toISOString());
    log(`built ${app} in ${Date.now() - started} ms`);
  }
}
