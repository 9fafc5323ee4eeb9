import { mkdtempSync, readFileSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataDirLock, LOCK_FILE, LockAttempt, isAlive } from './data-dir-lock';

/** Above Linux's pid_max (4194304): no process can have it. */
const DEAD_PID = 2_000_000_000;

function lockOf(attempt: LockAttempt): DataDirLock {
  if (!('lock' in attempt)) {
    throw new Error(`expected the lock, got owner ${JSON.stringify(attempt.owner)}`);
  }
  return attempt.lock;
}

describe(DataDirLock.name, () => {
  let dataDir: string;
  const file = () => join(dataDir, LOCK_FILE);
  const contents = () => JSON.parse(readFileSync(file(), 'utf8')) as Record<string, unknown>;

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'hg-lock-'));
  });

  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('writes who holds the DATA_DIR into the lock file', async () => {
    lockOf(await DataDirLock.acquire(dataDir, 'api'));
    expect(contents()).toEqual({
      pid: process.pid,
      role: 'api',
      startedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
  });

  it('reports the live owner to a second caller instead of taking the lock', async () => {
    lockOf(await DataDirLock.acquire(dataDir, 'api'));
    const second = await DataDirLock.acquire(dataDir, 'cli');
    expect(second).toEqual({ owner: { pid: process.pid, role: 'api', startedAt: expect.any(String) } });
  });

  it('takes over a lock whose process is dead', async () => {
    writeFileSync(file(), JSON.stringify({ pid: DEAD_PID, role: 'api', startedAt: '2020-01-01T00:00:00.000Z' }));
    lockOf(await DataDirLock.acquire(dataDir, 'worker'));
    expect(contents()).toMatchObject({ pid: process.pid, role: 'worker' });
  });

  it('lets exactly one of many concurrent callers take over a stale lock', async () => {
    writeFileSync(file(), JSON.stringify({ pid: DEAD_PID, role: 'api', startedAt: '2020-01-01T00:00:00.000Z' }));
    const attempts = await Promise.all(Array.from({ length: 10 }, () => DataDirLock.acquire(dataDir, 'api')));
    expect(attempts.filter((attempt) => 'lock' in attempt)).toHaveLength(1);
    expect(readdirSync(dataDir)).toEqual([LOCK_FILE]); // Nothing left aside.
  });

  it('treats a lock file left empty by a writer that died as stale once it is old enough', async () => {
    writeFileSync(file(), '');
    const aMinuteAgo = new Date(Date.now() - 60_000);
    utimesSync(file(), aMinuteAgo, aMinuteAgo);
    lockOf(await DataDirLock.acquire(dataDir, 'api'));
    expect(contents()).toMatchObject({ pid: process.pid });
  });

  it('removes the lock file on release, but never a lock another process has taken since', async () => {
    const lock = lockOf(await DataDirLock.acquire(dataDir, 'api'));
    lock.release();
    expect(readdirSync(dataDir)).toEqual([]);

    const stale = lockOf(await DataDirLock.acquire(dataDir, 'api'));
    await rm(file());
    writeFileSync(file(), JSON.stringify({ pid: 1, role: 'api', startedAt: 'now' }));
    stale.release();
    expect(contents()).toMatchObject({ pid: 1 });
  });

  it('tells a live pid from a dead one', () => {
    expect(isAlive(process.pid)).toBe(true);
    expect(isAlive(DEAD_PID)).toBe(false);
  });
});
