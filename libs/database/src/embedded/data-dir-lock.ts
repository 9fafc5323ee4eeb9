import { randomUUID } from 'node:crypto';
import { linkSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataDirOwner } from '../database.errors';

export const LOCK_FILE = 'hourglass.lock';

/** A lock file still empty or unparseable after this long was left by a writer that died. */
const UNREADABLE_GRACE_MS = 2_000;
const MAX_ATTEMPTS = 200;

export type LockAttempt = { lock: DataDirLock } | { owner: DataDirOwner };

/**
 * `<DATA_DIR>/hourglass.lock`: exactly one process per DATA_DIR hosts the embedded database.
 * Created with `wx` (O_CREAT|O_EXCL), so of racing processes exactly one creates it. A lock whose
 * pid is dead is stale: it is moved aside and the creation retried (see `removeIfStillSame`).
 */
export class DataDirLock {
  private constructor(
    readonly file: string,
    /** What we wrote: unique to us (our pid and start time), so release can tell our lock from a newer one. */
    private readonly text: string,
  ) {}

  /** Takes the lock of `dataDir`, or reports the live process that holds it. */
  static async acquire(dataDir: string, role: string): Promise<LockAttempt> {
    const file = join(dataDir, LOCK_FILE);
    const mine: DataDirOwner = { pid: process.pid, role, startedAt: new Date().toISOString() };
    const text = JSON.stringify(mine);
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      try {
        writeFileSync(file, text, { flag: 'wx', mode: 0o644 });
        return { lock: new DataDirLock(file, text) };
      } catch (error) {
        if (errorCode(error) !== 'EEXIST') {
          throw error;
        }
      }
      const seen = readLock(file);
      if (seen === undefined) {
        continue; // Removed between our attempt and the read: try again.
      }
      if (seen.owner !== undefined && isAlive(seen.owner.pid)) {
        return { owner: seen.owner };
      }
      if (seen.owner === undefined && Date.now() - seen.mtimeMs < UNREADABLE_GRACE_MS) {
        await sleep(20); // Another process created it and is writing its JSON right now.
        continue;
      }
      removeIfStillSame(file, seen);
    }
    throw new Error(`Could not take ${file} after ${MAX_ATTEMPTS} attempts; remove it if no Hourglass process runs.`);
  }

  /** Removes the lock file if it is still ours. Synchronous so it can run in a process 'exit' handler. */
  release(): void {
    try {
      if (readFileSync(this.file, 'utf8') === this.text) {
        unlinkSync(this.file);
      }
    } catch (error) {
      if (errorCode(error) !== 'ENOENT') {
        throw error;
      }
    }
  }
}

interface SeenLock {
  owner?: DataDirOwner;
  text: string;
  inode: number;
  mtimeMs: number;
}

function readLock(file: string): SeenLock | undefined {
  try {
    const { ino, mtimeMs } = statSync(file);
    const text = readFileSync(file, 'utf8');
    return { owner: parseOwner(text), text, inode: ino, mtimeMs };
  } catch (error) {
    if (errorCode(error) === 'ENOENT') {
      return undefined;
    }
    throw error;
  }
}

function parseOwner(text: string): DataDirOwner | undefined {
  try {
    const value = JSON.parse(text) as Partial<DataDirOwner>;
    if (Number.isInteger(value.pid) && typeof value.role === 'string' && typeof value.startedAt === 'string') {
      return value as DataDirOwner;
    }
  } catch {
    // Empty or half-written.
  }
  return undefined;
}

/**
 * Deletes the stale lock we inspected, never a fresh one another process created meanwhile
 * (racers may have removed the stale file and taken the lock since we read it): rename is atomic,
 * so we move whatever is there aside and check it is the file we judged stale — same inode, mtime
 * and content (inode numbers alone are reused at once). If it is not, it is linked back (`link`
 * fails rather than overwrite if yet another process took the name meanwhile).
 */
function removeIfStillSame(file: string, stale: SeenLock): void {
  const aside = `${file}.${process.pid}.${randomUUID()}.stale`;
  try {
    renameSync(file, aside);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') {
      return; // Another process removed it first.
    }
    throw error;
  }
  try {
    const moved = readLock(aside);
    const same = moved?.inode === stale.inode && moved.mtimeMs === stale.mtimeMs && moved.text === stale.text;
    if (!same) {
      linkSync(aside, file);
    }
  } catch (error) {
    if (errorCode(error) !== 'EEXIST') {
      throw error;
    }
  } finally {
    unlinkSync(aside);
  }
}

/** `kill(pid, 0)` probes without signalling; EPERM means alive but owned by another user. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errorCode(error) === 'EPERM';
  }
}

/** The `code` of a Node system error. Not `instanceof Error`: errors from another realm (Jest's VM) fail it. */
export function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string'
    ? error.code
    : undefined;
}
