import { AuthModule } from '@app/auth';
import { AppConfig } from '@app/config';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { SessionCipher } from './crypto/session-cipher';
import { VintedAuthService } from './http/vinted-auth.service';
import { FetchVintedHttpClient, VintedHttpClient } from './http/vinted-http.client';
import { SchedulerStateRepository } from './scheduler/scheduler-state.repository';
import { TokenRefreshScheduler } from './scheduler/token-refresh-scheduler.service';
import { SessionKeyRotation } from './sessions/session-key-rotation.service';
import { VintedSessionManager } from './sessions/vinted-session-manager.service';
import { VintedSessionEntity } from './sessions/vinted-session.entity';
import { VintedSessionsRepository } from './sessions/vinted-sessions.repository';

const EXPORTED = [
  VintedSessionManager,
  TokenRefreshScheduler,
  SessionKeyRotation,
  VintedAuthService,
  VintedSessionsRepository,
  SessionCipher,
  VintedHttpClient,
];

/**
 * Vinted sessions: encrypted storage, the refresh client, the scheduler's logic. Needs
 * `ConfigModule.forRoot` and `DatabaseModule.forRoot` (global). Schedules nothing (the CLI uses it
 * as is): the API also imports `VintedCronModule` for the poll and the start-up work.
 */
@Module({
  imports: [TypeOrmModule.forFeature([VintedSessionEntity]), AuthModule],
  providers: [
    {
      provide: SessionCipher,
      inject: [AppConfig],
      useFactory: (config: AppConfig) =>
        new SessionCipher(config.VINTED_CREDENTIALS_SECRET, config.VINTED_CREDENTIALS_SECRET_PREVIOUS),
    },
    { provide: VintedHttpClient, useClass: FetchVintedHttpClient },
    VintedAuthService,
    VintedSessionsRepository,
    VintedSessionManager,
    SchedulerStateRepository,
    TokenRefreshScheduler,
    SessionKeyRotation,
  ],
  exports: [...EXPORTED, AuthModule],
})
export class VintedModule {}
