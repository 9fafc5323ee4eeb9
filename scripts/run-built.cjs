'use strict';
/**
 * Runs an app from its compiled output, building it first only when needed:
 *
 *   node scripts/run-built.cjs api|worker|cli [args…]   (npm start, npm run start:worker, npm run cli)
 *   node scripts/run-built.cjs --build [api worker cli]  (npm run build: always builds, in one pass)
 *   node scripts/run-built.cjs --build-console           (npm run build:console: the web console, by Vite)
 *
 * `npm start` (api) also builds the web console into dist/console/ when it is missing or its
 * sources (apps/console, libs/client, the lockfile) changed since its last build.
 *
 * An app is rebuilt when dist/ has no build of it, or when a file it is compiled from (its
 * apps/<app>, libs/, the TypeScript and Nest configuration, the lockfile) changed since the start
 * of its last build. tsc's incremental build info cannot tell that: after a build that failed it
 * is written anyway, and a file whose content did not change leaves it untouched. So each
 * successful build here leaves a stamp whose time is when that build started.
 *
 * The app then runs in this very process (no second Node start), so signals, output and exit
 * status are the app's own, and the API's cluster workers fork main.js itself. `npm start` and
 * `start:worker` give Node --enable-source-maps, as `nest start` did (TypeScript lines in stack
 * traces; cluster workers inherit it); `npm run cli` does not, since reading every module's map
 * costs about a fifth of the CLI's start.
 */
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const { join, relative } = require('node:path');

const ROOT = join(__dirname, '..');
const APPS = ['api', 'worker', 'cli'];
/** Outside apps/ and libs/, what changes the output of `nest build`. */
const BUILD_CONFIG = ['tsconfig.json', 'nest-cli.json', 'package-lock.json'];
/** Never compiled into an app (see the `exclude` of apps/<app>/tsconfig.app.json). */
const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'test', 'testing']);
const TEST_FILE = /\.(spec|int-spec|e2e-spec)\.ts$/;
const STAMP = '.built-from-sources';
const LOCK_POLL_MS = 200;
/** A lock file without a pid in it is being written, unless it is older than this. */
const LOCK_WRITE_GRACE_MS = 5_000;

function entryPoint(root, app) {
  return join(root, 'dist', 'apps', app, 'apps', app, 'src', 'main.js');
}

function stampPath(root, app) {
  return join(root, 'dist', 'apps', app, STAMP);
}

function mtimeMs(file) {
  try {
    return fs.statSync(file).mtimeMs;
  } catch (error) {
    if (error.code === 'ENOENT') {
      return undefined;
    }
    throw error;
  }
}

/** The first source of `dir` (recursively) modified at or after `since`, if any. */
function changedSince(dir, since, sourceFile = /\.(ts|json)$/) {
  let entries;
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    if (error.code === 'ENOENT') {
      return undefined;
    }
    throw error;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      const changed = SKIPPED_DIRS.has(entry.name) ? undefined : changedSince(path, since, sourceFile);
      if (changed !== undefined) {
        return changed;
      }
    } else if (sourceFile.test(entry.name) && !TEST_FILE.test(entry.name) && fs.statSync(path).mtimeMs >= since) {
      return path;
    }
  }
  return undefined;
}

/** Why `app` must be built before it runs, or undefined when dist/ holds a build of its current sources. */
function staleness(root, app) {
  if (!fs.existsSync(entryPoint(root, app))) {
    return 'dist/ has no build of it yet';
  }
  const builtAt = mtimeMs(stampPath(root, app));
  if (builtAt === undefined) {
    return 'no record of the sources it was built from';
  }
  for (const file of BUILD_CONFIG) {
    if ((mtimeMs(join(root, file)) ?? -Infinity) >= builtAt) {
      return `${file} changed since the last build`;
    }
  }
  const changed = changedSince(join(root, 'apps', app), builtAt) ?? changedSince(join(root, 'libs'), builtAt);
  return changed === undefined ? undefined : `${relative(root, changed)} changed since the last build`;
}

function sleep(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

/**
 * Holds `dist/apps/<app>.build.lock` while building `app`: two starts at once must not both write
 * the same output. A lock left by a process that died is taken over.
 */
function lockBuild(root, app) {
  const lock = join(root, 'dist', 'apps', `${app}.build.lock`);
  fs.mkdirSync(join(root, 'dist', 'apps'), { recursive: true });
  let announced = false;
  for (;;) {
    try {
      fs.writeFileSync(lock, String(process.pid), { flag: 'wx' });
      return () => fs.rmSync(lock, { force: true });
    } catch (error) {
      if (error.code !== 'EEXIST') {
        throw error;
      }
    }
    const holder = Number(readIfExists(lock));
    const writing = !holder && Date.now() - (mtimeMs(lock) ?? 0) < LOCK_WRITE_GRACE_MS;
    if (!writing && !(holder && isAlive(holder))) {
      fs.rmSync(lock, { force: true });
      continue;
    }
    if (!announced) {
      process.stderr.write(`Waiting for process ${holder || '?'}, which is building ${app}…\n`);
      announced = true;
    }
    sleep(LOCK_POLL_MS);
  }
}

function readIfExists(file) {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** Builds `apps` in one `nest build` and stamps them; on failure prints the compiler's output (its diagnostics, then its summary). */
function build(root, apps, reason) {
  const startedAt = Date.now();
  process.stderr.write(`Building ${apps.join(', ')} (${reason})… `);
  const result = spawnSync(process.execPath, [nestCli(root), 'build', ...apps], { cwd: root, encoding: 'utf8' });
  const took = `${((Date.now() - startedAt) / 1000).toFixed(1)} s`;
  if (result.status !== 0) {
    process.stderr.write(`failed after ${took}:\n${result.stderr ?? ''}${result.stdout ?? ''}${result.error ?? ''}\n`);
    return false;
  }
  for (const app of apps) {
    const stamp = stampPath(root, app);
    fs.writeFileSync(stamp, `Built from the sources as they were at ${new Date(startedAt).toISOString()}.\n`);
    fs.utimesSync(stamp, startedAt / 1000, startedAt / 1000);
  }
  process.stderr.write(`done in ${took}\n`);
  return true;
}

function nestCli(root) {
  try {
    return require.resolve('@nestjs/cli/bin/nest.js', { paths: [root] });
  } catch {
    process.stderr.write(
      '\nThe Nest CLI is missing: run `npm ci` (it installs the dev dependencies that build the apps).\n',
    );
    process.exit(1);
  }
}

/** The web console (apps/console, served by the API at /console/): built by Vite into dist/console/. */
const CONSOLE_SOURCES = ['apps/console', 'libs/client'];

/** Why the console must be built before the API starts, or undefined when dist/console/ is current. */
function consoleStaleness(root) {
  const builtAt = mtimeMs(join(root, 'dist', 'console', STAMP));
  if (builtAt === undefined || !fs.existsSync(join(root, 'dist', 'console', 'index.html'))) {
    return 'dist/ has no build of it yet';
  }
  if ((mtimeMs(join(root, 'package-lock.json')) ?? -Infinity) >= builtAt) {
    return 'package-lock.json changed since the last build';
  }
  for (const dir of CONSOLE_SOURCES) {
    const changed = changedSince(join(root, dir), builtAt, /\.(ts|tsx|mts|css|html|json)$/);
    if (changed !== undefined) {
      return `${relative(root, changed)} changed since the last build`;
    }
  }
  return undefined;
}

/** `vite build` of the console (what `npm run build:console` runs), stamped like the apps. */
function buildConsole(root, reason) {
  const startedAt = Date.now();
  process.stderr.write(`Building the console (${reason})… `);
  // Vite's package exports do not list its bin; it is a dev dependency at the checkout's root.
  const vite = join(root, 'node_modules', 'vite', 'bin', 'vite.js');
  if (!fs.existsSync(vite)) {
    process.stderr.write('Vite is missing: run `npm ci` (it installs the dev dependencies that build the console).\n');
    return false;
  }
  const args = [vite, 'build', '--config', join(root, 'apps', 'console', 'vite.config.mts'), '--logLevel', 'warn'];
  const result = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
  const took = `${((Date.now() - startedAt) / 1000).toFixed(1)} s`;
  if (result.status !== 0) {
    process.stderr.write(`failed after ${took}:\n${result.stderr ?? ''}${result.stdout ?? ''}${result.error ?? ''}\n`);
    return false;
  }
  precompress(join(root, 'dist', 'console', 'assets'));
  const stamp = join(root, 'dist', 'console', STAMP);
  fs.writeFileSync(stamp, `Built from the sources as they were at ${new Date(startedAt).toISOString()}.\n`);
  fs.utimesSync(stamp, startedAt / 1000, startedAt / 1000);
  process.stderr.write(`done in ${took}\n`);
  return true;
}

/**
 * Brotli and gzip copies of the console's scripts and styles (`x.js.br`, `x.js.gz`), made once per
 * build with Node's zlib: the API sends the smallest one the browser accepts, never compressing
 * on a request (apps/api/src/console/console-static.ts).
 */
function precompress(dir) {
  const zlib = require('node:zlib');
  for (const name of fs.readdirSync(dir)) {
    if (!/\.(js|css)$/.test(name)) {
      continue;
    }
    const content = fs.readFileSync(join(dir, name));
    fs.writeFileSync(join(dir, `${name}.gz`), zlib.gzipSync(content, { level: 9 }));
    const brotli = {
      [zlib.constants.BROTLI_PARAM_QUALITY]: 11,
      [zlib.constants.BROTLI_PARAM_SIZE_HINT]: content.length,
    };
    fs.writeFileSync(join(dir, `${name}.br`), zlib.brotliCompressSync(content, { params: brotli }));
  }
}

/** Before the API starts: the console it serves, when stale. A console that fails to build does not stop the API. */
function ensureConsole(root) {
  const reason = consoleStaleness(root);
  if (reason === undefined) {
    return;
  }
  const unlock = lockBuild(root, 'console');
  try {
    if (consoleStaleness(root) !== undefined && !buildConsole(root, reason)) {
      process.stderr.write('The API starts anyway; /console/ answers 404 until `npm run build:console` succeeds.\n');
    }
  } finally {
    unlock();
  }
}

function run(app, args) {
  if (app === 'api') {
    ensureConsole(ROOT);
  }
  if (staleness(ROOT, app) !== undefined) {
    const unlock = lockBuild(ROOT, app);
    let built;
    try {
      const reason = staleness(ROOT, app); // Another start may have built it while we waited.
      built = reason === undefined || build(ROOT, [app], reason);
    } finally {
      unlock();
    }
    if (!built) {
      process.exit(1);
    }
  }
  // Node 22 can keep the compiled code of every module between runs (a no-op on Node 20, which cannot).
  require('node:module').enableCompileCache?.();
  const entry = entryPoint(ROOT, app);
  process.argv = [process.argv[0], entry, ...args];
  require(entry);
}

function buildAll(apps) {
  const unlocks = apps.map((app) => lockBuild(ROOT, app)); // In APPS order, so two builds never deadlock.
  let built;
  try {
    built = build(ROOT, apps, 'npm run build');
  } finally {
    unlocks.forEach((unlock) => unlock());
  }
  process.exitCode = built ? 0 : 1;
}

if (require.main === module) {
  const [first, ...rest] = process.argv.slice(2);
  if (first === '--build-console' && rest.length === 0) {
    const unlock = lockBuild(ROOT, 'console');
    try {
      process.exitCode = buildConsole(ROOT, 'npm run build') ? 0 : 1;
    } finally {
      unlock();
    }
  } else if (first === '--build' && rest.every((app) => APPS.includes(app))) {
    buildAll(APPS.filter((app) => rest.length === 0 || rest.includes(app)));
  } else if (APPS.includes(first)) {
    run(first, rest);
  } else {
    process.stderr.write(
      `Usage: node scripts/run-built.cjs ${APPS.join('|')} [args…] | --build [${APPS.join(' ')}] | --build-console\n`,
    );
    process.exit(2);
  }
}

module.exports = { staleness };
