import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DataDirLock, LOCK_FILE } from './data-dir-lock';

const ROOT = resolve(__dirname, '../../../..');
const PROCESSES = 6;

/** A process that loads the lock code, says "ready", and on "go" tries the lock and prints won/lost. */
function contender(dataDir: string) {
  const script = `
    const { DataDirLock } = require(${JSON.stringify(join(__dirname, 'data-dir-lock.ts'))});
    process.stdin.once('data', () =>
      DataDirLock.acquire(${JSON.stringify(dataDir)}, 'api').then((attempt) => {
        process.stdout.write('lock' in attempt ? 'won' : 'lost');
        process.stdin.on('end', () => process.exit(0)); // Holds on until the test has seen everyone.
      }),
    );
    process.stdout.write('ready');`;
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', script], { cwd: ROOT });
  const next = () =>
    new Promise<string>((done) => child.stdout.once('data', (chunk: Buffer) => done(chunk.toString())));
  return { child, next };
}

describe(DataDirLock.name, () => {
  let dataDir: string;

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'hg-lock-'));
  });

  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it.each([
    ['a free DATA_DIR', false],
    ['a DATA_DIR whose owner died', true],
  ])('gives %s to exactly one of several processes racing for it', async (_case, stale) => {
    if (stale) {
      writeFileSync(
        join(dataDir, LOCK_FILE),
        JSON.stringify({ pid: 2_000_000_000, role: 'api', startedAt: '2020-01-01T00:00:00.000Z' }),
      );
    }
    const contenders = Array.from({ length: PROCESSES }, () => contender(dataDir));
    try {
      // Released together once every process has loaded, so their attempts really overlap.
      await Promise.all(contenders.map(({ next }) => next()));
      const outcomes = Promise.all(contenders.map(({ next }) => next()));
      for (const { child } of contenders) {
        child.stdin.write('go');
      }
      expect((await outcomes).filter((outcome) => outcome === 'won')).toHaveLength(1);
      expect(readdirSync(dataDir)).toEqual([LOCK_FILE]);
    } finally {
      for (const { child } of contenders) {
        child.stdin.end();
      }
    }
  });
});
