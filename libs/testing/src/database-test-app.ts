import { ConfigModule, loadConfig } from '@app/config';
import { Database, DatabaseModule, DatabaseRole, MigrationService } from '@app/database';
import { INestApplicationContext, LogLevel, Module, ModuleMetadata } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';

export interface DatabaseTestAppOptions {
  /** Environment for `loadConfig`, usually `TestDatabase.env` plus what the spec needs. */
  env: Record<string, string>;
  /** Default `api`. */
  role?: DatabaseRole;
  /** Feature modules to boot on top of ConfigModule and DatabaseModule. */
  imports?: ModuleMetadata['imports'];
  /** Apply the migrations after boot, as the API does. Default true. */
  migrate?: boolean;
  /** Nest log levels; default errors and warnings only. */
  logger?: LogLevel[] | false;
}

@Module({})
class DatabaseTestRootModule {}

/**
 * A Nest application context with ConfigModule + DatabaseModule (+ `imports`) for `env`: what an
 * app's root module does, without HTTP. Close it with `app.close()`: that also stops an embedded
 * database and frees its DATA_DIR.
 */
export async function createDatabaseTestApp(options: DatabaseTestAppOptions): Promise<INestApplicationContext> {
  const { config } = loadConfig({ ...options.env });
  const app = await NestFactory.createApplicationContext(
    {
      module: DatabaseTestRootModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule.forRoot({ role: options.role ?? 'api' }),
        ...(options.imports ?? []),
      ],
    },
    { logger: options.logger ?? ['error', 'warn'], abortOnError: false },
  );
  try {
    await app.get(Database).connect(); // The CLI's role connects on demand, as its commands do.
    if (options.migrate ?? true) {
      await app.get(MigrationService).run();
    }
  } catch (error) {
    await app.close();
    throw error;
  }
  return app;
}
