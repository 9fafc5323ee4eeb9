import { AddressInfo } from 'node:net';
import { AppConfig } from '@app/config';
import { DatabaseNotifications } from '@app/database';
import { createApiApp } from '../create-api-app';
import { ReadyMessage } from './cluster-messages';
import { joinClusterMetrics } from './cluster-metrics';
import { ClusterSiblingRelay } from './cluster-relay';

/**
 * One API process of a cluster: the same app as a single process (its primary has migrated),
 * listening on the port it shares with the others, its revocations relayed to them at once. The
 * primary says when all are ready.
 */
export async function runApiWorker(config: AppConfig): Promise<void> {
  joinClusterMetrics();
  const relay = new ClusterSiblingRelay();
  const app = await createApiApp(config);
  relay.attach(app.get(DatabaseNotifications));
  await app.listen(config.PORT);
  const { port } = app.getHttpServer().address() as AddressInfo;
  const ready: ReadyMessage = { type: 'hourglass:api-ready', port };
  process.send?.(ready);
}
