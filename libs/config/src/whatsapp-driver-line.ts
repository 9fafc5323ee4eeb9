import { AppConfig } from './app-config';

/**
 * The start-up line of the API and of the worker naming the WhatsApp driver, and why it is that
 * one: the default changes with the bus (simulator in-process, baileys with RabbitMQ), which
 * surprises whoever moves from `npm start` to servers. Here, not in @app/whatsapp: the cluster
 * primary says it too, and importing that lib registers its entities in the primary's data source.
 */
export function whatsappDriverLine(config: AppConfig): string {
  const driver = config.whatsappDriver;
  if (config.WHATSAPP_DRIVER !== undefined) {
    return `WhatsApp driver: ${driver} (WHATSAPP_DRIVER=${driver})`;
  }
  return config.embeddedBus
    ? 'WhatsApp driver: simulator (the default with the in-process bus; WHATSAPP_DRIVER=baileys for real phones)'
    : 'WhatsApp driver: baileys (the default with RabbitMQ; WHATSAPP_DRIVER=simulator to simulate phones)';
}
