import { AuthModule } from '@app/auth';
import { appLogging, loggingModule } from '@app/common';
import { AppConfig, ConfigModule } from '@app/config';
import { DatabaseModule } from '@app/database';
import { LedgerModule } from '@app/ledger';
import { MessagingModule } from '@app/messaging';
import { VintedModule } from '@app/vinted';
import { WebhooksModule } from '@app/webhooks';
import { WhatsappNumbersModule } from '@app/whatsapp';
import { DynamicModule, Module } from '@nestjs/common';
import { CliProgram } from './cli-program';
import { CleanupExpiredTokensCommand } from './commands/cleanup-expired-tokens.command';
import { FlushExpiredTokensCommand } from './commands/flush-expired-tokens.command';
import { LedgerCommand, LedgerVerifyCommand } from './commands/ledger-verify.command';
import { MigrateCommand } from './commands/migrate.command';
import { PointsCommand, PointsGrantCommand } from './commands/points-grant.command';
import { UsersCommand, UsersCreateCommand } from './commands/users-create.command';
import { VINTED_SUBCOMMANDS, VintedCommand } from './commands/vinted.command';
import { WEBHOOKS_SUBCOMMANDS, WebhooksCommand } from './commands/webhooks.command';
import { WhatsappCommand, WhatsappRegenerateQrCommand } from './commands/whatsapp-regenerate-qr.command';

/** The admin CLI: same configuration and libs as the API, reports on stdout, logs on stderr. */
@Module({})
export class CliModule {
  static register(config: AppConfig): DynamicModule {
    return {
      module: CliModule,
      imports: [
        ConfigModule.forRoot(config),
        loggingModule(
          appLogging({ level: config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL, service: 'cli', fd: 2 }),
        ),
        DatabaseModule.forRoot({ role: 'cli' }),
        AuthModule,
        LedgerModule,
        VintedModule,
        // `whatsapp regenerate-qr` publishes to the workers (RabbitMQ; the in-process bus reaches none).
        MessagingModule.forRoot({ publishTimeoutMs: 10_000 }),
        WhatsappNumbersModule,
        WebhooksModule,
      ],
      providers: [
        CliProgram,
        MigrateCommand,
        UsersCommand,
        UsersCreateCommand,
        FlushExpiredTokensCommand,
        CleanupExpiredTokensCommand,
        PointsCommand,
        PointsGrantCommand,
        LedgerCommand,
        LedgerVerifyCommand,
        VintedCommand,
        ...VINTED_SUBCOMMANDS,
        WhatsappCommand,
        WhatsappRegenerateQrCommand,
        WebhooksCommand,
        ...WEBHOOKS_SUBCOMMANDS,
      ],
    };
  }
}
