import { AuthModule } from '@app/auth';
import { loggingModule } from '@app/common';
import { AppConfig, ConfigModule } from '@app/config';
import { DatabaseModule } from '@app/database';
import { DynamicModule, Module } from '@nestjs/common';
import { FlushExpiredTokensCommand } from './commands/flush-expired-tokens.command';
import { MigrateCommand } from './commands/migrate.command';
import { UsersCommand, UsersCreateCommand } from './commands/users-create.command';

/** The admin CLI: same configuration and libs as the API, reports on stdout, logs on stderr. */
@Module({})
export class CliModule {
  static register(config: AppConfig): DynamicModule {
    return {
      module: CliModule,
      imports: [
        ConfigModule.forRoot(config),
        loggingModule({ level: config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL, service: 'cli', fd: 2 }),
        DatabaseModule.forRoot({ role: 'cli' }),
        AuthModule,
      ],
      providers: [MigrateCommand, UsersCommand, UsersCreateCommand, FlushExpiredTokensCommand],
    };
  }
}
