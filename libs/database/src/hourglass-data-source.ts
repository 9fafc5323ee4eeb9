import { setTimeout as sleep } from 'node:timers/promises';
import { Logger } from '@nestjs/common';
import { DataSource, DataSourceOptions } from 'typeorm';
import { DatabaseUnreachableError, connectionFailure } from './connection-failure';
import { ConnectRetries, HourglassTypeOrmOptions } from './database.options';
import { EmbeddedPostgres } from './embedded/embedded-postgres';

/** `DataSource` has a `logger` of its own (TypeORM's). */
const startLog = new Logger('Database');
const NO_RETRIES: ConnectRetries = { count: 0, delayMs: 0 };

/**
 * The process's DataSource. When the database is embedded it owns the PGlite host: `initialize()`
 * opens the host first, and Nest's normal shutdown (which destroys the DataSource) also stops the
 * socket server, closes PGlite and releases the DATA_DIR lock — in that order, after the pool is
 * closed. Opening the host in `initialize()` rather than in the factory lets a DataSource created
 * with `manualInitialization` (the CLI's) leave the database untouched until a command needs it.
 *
 * On a server, a failed connection the user can fix becomes the typed error that says what to do
 * (`connectionFailure`: no such database, a refused login, nothing answering). Only a server that
 * does not answer is tried again, and only as `connectRetries` allows (the API's and the worker's
 * start: the server may be coming up beside them), with a line each time; waiting cannot create a
 * database or fix a password.
 */
export class HourglassDataSource extends DataSource {
  private embeddedHost?: EmbeddedPostgres;

  override async initialize(): Promise<this> {
    if (this.isInitialized) {
      return super.initialize(); // TypeORM's own "already connected" error, with nothing closed.
    }
    const { url, connectRetries = NO_RETRIES } = this.options as HourglassTypeOrmOptions & { url?: string };
    const attempts = 1 + connectRetries.count;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.open();
      } catch (error) {
        const failure = (url === undefined ? undefined : connectionFailure(error, url)) ?? error;
        if (!(failure instanceof DatabaseUnreachableError) || attempt >= attempts) {
          throw failure;
        }
        const seconds = connectRetries.delayMs / 1000;
        startLog.warn(`${failure.message} Trying again in ${seconds} s (attempt ${attempt} of ${attempts}).`);
        await sleep(connectRetries.delayMs);
      }
    }
  }

  override async destroy(): Promise<void> {
    const host = this.embeddedHost;
    this.embeddedHost = undefined;
    try {
      if (this.isInitialized) {
        await super.destroy();
      }
    } finally {
      await host?.close();
    }
  }

  private async open(): Promise<this> {
    const { embedded } = this.options as HourglassTypeOrmOptions;
    try {
      if (embedded !== undefined) {
        this.embeddedHost ??= await EmbeddedPostgres.open(embedded);
      }
      return await super.initialize();
    } catch (error) {
      await this.destroy(); // A failed start leaves neither the pool nor the host open.
      throw error;
    }
  }
}

/** `dataSourceFactory` of TypeOrmModule, which initialises the result unless told not to. */
export function createHourglassDataSource(options: DataSourceOptions | undefined): Promise<DataSource> {
  if (options === undefined) {
    return Promise.reject(new Error('DatabaseModule: TypeORM options are missing'));
  }
  return Promise.resolve(new HourglassDataSource(options));
}
