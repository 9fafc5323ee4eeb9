import { DataSource, DataSourceOptions } from 'typeorm';
import { HourglassTypeOrmOptions } from './database.options';
import { EmbeddedPostgres } from './embedded/embedded-postgres';

/**
 * The process's DataSource. When the database is embedded it owns the PGlite host, so that
 * Nest's normal shutdown (which destroys the DataSource) also stops the socket server, closes
 * PGlite and releases the DATA_DIR lock — in that order, after the pool is closed.
 */
export class HourglassDataSource extends DataSource {
  constructor(
    options: DataSourceOptions,
    private readonly embeddedHost?: EmbeddedPostgres,
  ) {
    super(options);
  }

  override async destroy(): Promise<void> {
    try {
      if (this.isInitialized) {
        await super.destroy();
      }
    } finally {
      await this.embeddedHost?.close();
    }
  }
}

/**
 * `dataSourceFactory` of TypeOrmModule: opens the embedded host first when the options ask for
 * one, and initialises the DataSource itself so a failed start does not leave the host open.
 */
export async function createHourglassDataSource(options: DataSourceOptions | undefined): Promise<DataSource> {
  if (options === undefined) {
    throw new Error('DatabaseModule: TypeORM options are missing');
  }
  const { embedded } = options as HourglassTypeOrmOptions;
  if (embedded === undefined) {
    return new HourglassDataSource(options); // TypeOrmModule initialises it, with retries.
  }
  const host = await EmbeddedPostgres.open(embedded);
  const dataSource = new HourglassDataSource(options, host);
  try {
    return await dataSource.initialize();
  } catch (error) {
    await dataSource.destroy();
    throw error;
  }
}
