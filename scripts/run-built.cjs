'use strict';
/**
 * Runs an app from its compiled output, building it first only when needed:
 *
 *   node scripts/run-built.cjs api|worker|cli [args…]   (npm start, npm run start:worker, npm run cli)
 *   node scripts/run-built.cjs --build [api worker cli]  (npm run build: always builds, in one pass)
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
function changedSince(dir, since) {
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
      const changed = SKIPPED_DIRS.has(entry.name) ? undefined : changedSince(path, since);
      if (changed !== undefined) {
        return changed;
      }
    } else if (/\.(ts|json)$/.test(entry.name) && !TEST_FILE.test(entry.name) && fs.statSync(path).mtimeMs >= since) {
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

function run(app, args) {
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
  if (first === '--build' && rest.every((app) => APPS.includes(app))) {
    buildAll(APPS.filter((app) => rest.length === 0 || rest.includes(app)));
  } else if (APPS.includes(first)) {
    run(first, rest);
  } else {
    process.stderr.write(`Usage: node scripts/run-built.cjs ${APPS.join('|')} [args…] | --build [${APPS.join(' ')}]\n`);
    process.exit(2);
  }
}

module.exports = { staleness };
