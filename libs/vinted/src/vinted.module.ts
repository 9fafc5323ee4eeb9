import { AuthModule } from '@app/auth';
import { AppConfig } from '@app/config';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { SessionCipher } from './crypto/session-cipher';
import { VintedAuthService } from './http/vinted-auth.service';
import { FetchVintedHttpClient, VintedHttpClient } from './http/vinted-http.client';
import { SchedulerStateRepository } from './scheduler/scheduler-state.repository';
import { TokenRefreshScheduler } from './scheduler/token-refresh-scheduler.service';
import { TokenRefreshTickCron } from './scheduler/token-refresh-tick.cron';
import { SessionKeyRotation } from './sessions/session-key-rotation.service';
import { VintedSessionBootstrap } from './sessions/vinted-session-bootstrap';
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
 * `ConfigModule.forRoot` and `DatabaseModule.forRoot` (global). Used as is by the CLI; the API
 * imports `VintedRuntimeModule`, which adds the poll loop and the start-up work.
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

/** The API process only: auto-start, VINTED_SESSION at start, and the scheduler's poll (needs ScheduleModule). */
@Module({
  imports: [VintedModule],
  providers: [TokenRefreshTickCron, VintedSessionBootstrap],
  exports: [VintedModule],
})
export class VintedRuntimeModule {}
