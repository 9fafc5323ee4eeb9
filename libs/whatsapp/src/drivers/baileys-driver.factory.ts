import { AppConfig } from '@app/config';
import { DataSource } from 'typeorm';
import { BaileysAuthStateRepository } from './baileys/baileys-auth-state.repository';
import { BaileysDriver } from './baileys/baileys.driver';
import { loadBaileys } from './baileys/baileys-runtime';
import { CredentialsCipher } from './baileys/credentials-cipher';

/** The Baileys driver of a process; it needs the database (credentials) and a key to encrypt them. */
export function createBaileysDriver(config: AppConfig, dataSource: DataSource | undefined): BaileysDriver {
  if (dataSource === undefined) {
    throw new Error(
      'WHATSAPP_DRIVER=baileys stores its credentials in PostgreSQL: set DATABASE_URL (or use WHATSAPP_DRIVER=simulator)',
    );
  }
  const secret = config.WHATSAPP_CREDENTIALS_SECRET ?? config.JWT_SIGNING_KEY ?? '';
  const repository = new BaileysAuthStateRepository(dataSource, new CredentialsCipher(secret));
  return new BaileysDriver(loadBaileys, repository, {
    workerId: config.WORKER_ID,
    qrTimeoutMs: config.WHATSAPP_QR_TIMEOUT,
  });
}
