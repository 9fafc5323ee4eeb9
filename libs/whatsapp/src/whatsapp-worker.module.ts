import { AppConfig } from '@app/config';
import { MessageBus, WORKER_EVENTS_QUEUE } from '@app/messaging';
import { BeforeApplicationShutdown, Injectable, Logger, Module, OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { createBaileysDriver } from './drivers/baileys-driver.factory';
import { SimulatorDriver } from './drivers/simulator.driver';
import { WHATSAPP_DRIVER, WhatsappDriver } from './drivers/whatsapp-driver';
import { QrRenderPool } from './session/qr-render-pool';
import { SessionManager } from './session/session-manager.service';

/** Restores the sessions a previous run left connected, and closes them all when the process stops. */
@Injectable()
export class SessionLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('WhatsApp');

  constructor(private readonly sessions: SessionManager) {}

  async onApplicationBootstrap(): Promise<void> {
    try {
      const restored = await this.sessions.restore();
      if (restored > 0) {
        this.logger.log(`Restoring ${restored} WhatsApp session(s) of the previous run`);
      }
    } catch (error) {
      this.logger.error(`Could not restore the WhatsApp sessions of the previous run: ${String(error)}`);
    }
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.sessions.shutdown();
  }
}

/**
 * The worker side: the session manager and its driver (`WHATSAPP_DRIVER`: the simulator, or
 * Baileys with credentials in PostgreSQL). Events go to `whatsapp.worker.events`. Needs the
 * global Config and Messaging modules, and the Database module for Baileys.
 */
@Module({
  providers: [
    {
      provide: WHATSAPP_DRIVER,
      // Optional: only Baileys needs the database, and a simulator worker runs without one.
      inject: [AppConfig, { token: DataSource, optional: true }],
      useFactory: (config: AppConfig, dataSource: DataSource | undefined): WhatsappDriver =>
        config.whatsappDriver === 'simulator' ? new SimulatorDriver() : createBaileysDriver(config, dataSource),
    },
    {
      provide: SessionManager,
      inject: [WHATSAPP_DRIVER, MessageBus, AppConfig, QrRenderPool],
      useFactory: (driver: WhatsappDriver, bus: MessageBus, config: AppConfig, qr: QrRenderPool) =>
        new SessionManager(driver, (event) => bus.publish(WORKER_EVENTS_QUEUE, { ...event }), {
          workerId: config.WORKER_ID,
          qrTimeoutMs: config.WHATSAPP_QR_TIMEOUT,
          maxQrRetries: config.WHATSAPP_MAX_QR_RETRIES,
          renderQr: (payload) => qr.render(payload),
        }),
    },
    QrRenderPool,
    SessionLifecycle,
  ],
  exports: [SessionManager, WHATSAPP_DRIVER],
})
export class WhatsappWorkerModule {}
