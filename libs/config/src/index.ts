export { AppConfig } from './app-config';
export { ConfigModule } from './config.module';
export { loadConfig, loadConfigOrExit } from './load-config';
export { whatsappDriverLine } from './whatsapp-driver-line';
