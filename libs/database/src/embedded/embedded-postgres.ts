import { mkdirSync, unlinkSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { Logger } from '@nestjs/common';
import {
  DataDirInUseError,
  DataDirOwner,
  EmbeddedDatabaseUnreachableError,
  SocketPathTooLongError,
} from '../database.errors';
import { DataDirLock, errorCode } from './data-dir-lock';

/** The port only names the socket file (`.s.PGSQL.<port>`); nothing listens on TCP. */
export const EMBEDDED_PORT = 5432;
export const EMBEDDED_USER = 'postgres';
export const EMBEDDED_DATABASE = 'postgres';
/** sun_path holds 108 bytes including the terminating NUL. */
const MAX_SOCKET_PATH_BYTES = 107;
/** The owner's pool plus a few CLIs; pglite-socket's default of 1 would shut the CLI out. */
const MAX_CONNECTIONS = 16;
/** An owner that just started may still be initialising PGlite (~3 s on a fresh DATA_DIR). */
const ATTACH_TIMEOUT_MS = 20_000;

export interface EmbeddedPostgresOptions {
  dataDir: string;
  role: string;
  attachTimeoutMs?: number;
}

interface Hosted {
  db: PGlite;
  server: PGLiteSocketServer;
  lock: DataDirLock;
  onExit: () => void;
}

/**
 * PostgreSQL (PGlite, compiled to WASM) for one DATA_DIR, served on the Unix socket
 * `<DATA_DIR>/.s.PGSQL.5432` so the ordinary `pg` driver reaches it like a server
 * (`host: DATA_DIR, port: 5432`). Either this process hosts it (`owner`), or — for the CLI only —
 * another live process does and we use its socket (`attached`).
 */
export class EmbeddedPostgres {
  private static readonly logger = new Logger('EmbeddedPostgres');
  private closing?: Promise<void>;

  private constructor(
    readonly dataDir: string,
    readonly mode: 'owner' | 'attached',
    private readonly hosted?: Hosted,
  ) {}

  static socketPath(dataDir: string): string {
    return join(dataDir, `.s.PGSQL.${EMBEDDED_PORT}`);
  }

  /** Hosts the database of `dataDir`, or attaches to its live owner when `role` is `cli`. */
  static async open({
    dataDir,
    role,
    attachTimeoutMs = ATTACH_TIMEOUT_MS,
  }: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
    const socketPath = EmbeddedPostgres.socketPath(dataDir);
    if (Buffer.byteLength(socketPath) > MAX_SOCKET_PATH_BYTES) {
      throw new SocketPathTooLongError(socketPath, MAX_SOCKET_PATH_BYTES);
    }
    mkdirSync(dataDir, { recursive: true });
    const attempt = await DataDirLock.acquire(dataDir, role);
    if ('owner' in attempt) {
      if (role !== 'cli') {
        throw new DataDirInUseError(dataDir, attempt.owner);
      }
      await waitUntilConnectable(socketPath, dataDir, attempt.owner, attachTimeoutMs);
      EmbeddedPostgres.logger.log(
        `Attached to the embedded database of pid ${attempt.owner.pid} through ${socketPath}`,
      );
      return new EmbeddedPostgres(dataDir, 'attached');
    }
    const { lock } = attempt;
    // Released even if the process ends without closing us; a crash leaves a dead pid, which is stale.
    const onExit = () => lock.release();
    process.once('exit', onExit);
    let db: PGlite | undefined;
    try {
      removeIfExists(socketPath); // Left by an owner that died: we hold the lock, so it is not live.
      db = await PGlite.create({ dataDir: join(dataDir, 'pgdata') });
      const server = new PGLiteSocketServer({ db, path: socketPath, maxConnections: MAX_CONNECTIONS });
      await server.start();
      EmbeddedPostgres.logger.log(`Embedded PostgreSQL (PGlite) for ${dataDir} listening on ${socketPath}`);
      return new EmbeddedPostgres(dataDir, 'owner', { db, server, lock, onExit });
    } catch (error) {
      await db?.close().catch(() => undefined);
      lock.release();
      process.removeListener('exit', onExit);
      throw error;
    }
  }

  /**
   * Stops serving and closes the files: socket server, then PGlite, then the lock (the lock goes
   * last so no other process opens the files while we still write them). Call it after the
   * DataSource is destroyed. Idempotent; a no-op when attached.
   */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    if (!this.hosted) {
      return;
    }
    const { db, server, lock, onExit } = this.hosted;
    try {
      await server.stop();
      await db.close();
      removeIfExists(EmbeddedPostgres.socketPath(this.dataDir));
    } finally {
      lock.release();
      process.removeListener('exit', onExit);
    }
  }
}

async function waitUntilConnectable(
  socketPath: string,
  dataDir: string,
  owner: DataDirOwner,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await canConnect(socketPath))) {
    if (Date.now() > deadline) {
      throw new EmbeddedDatabaseUnreachableError(dataDir, owner, socketPath);
    }
    await sleep(100);
  }
}

function canConnect(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection(socketPath);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function removeIfExists(file: string): void {
  try {
    unlinkSync(file);
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') {
      throw error;
    }
  }
}
