import { DataSource, DataSourceOptions } from 'typeorm';
import { HourglassTypeOrmOptions } from './database.options';
import { EmbeddedPostgres } from './embedded/embedded-postgres';

/**
 * The process's DataSource. When the database is embedded it owns the PGlite host: `initialize()`
 * opens the host first, and Nest's normal shutdown (which destroys the DataSource) also stops the
 * socket server, closes PGlite and releases the DATA_DIR lock — in that order, after the pool is
 * closed. Opening the host in `initialize()` rather than in the factory lets a DataSource created
 * with `manualInitialization` (the CLI's) leave the database untouched until a command needs it.
 */
export class HourglassDataSource extends DataSource {
  private embeddedHost?: EmbeddedPostgres;

  override async initialize(): Promise<this> {
    if (this.isInitialized) {
      return super.initialize(); // TypeORM's own "already connected" error, with nothing closed.
    }
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
}

/** `dataSourceFactory` of TypeOrmModule, which initialises the result (with retries) unless told not to. */
export function createHourglassDataSource(options: DataSourceOptions | undefined): Promise<DataSource> {
  if (options === undefined) {
    return Promise.reject(new Error('DatabaseModule: TypeORM options are missing'));
  }
  return Promise.resolve(new HourglassDataSource(options));
}
