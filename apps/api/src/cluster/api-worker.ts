import { startupFailureText } from '@app/common';
import { AppConfig } from '@app/config';
import { DatabaseNotifications } from '@app/database';
import { createApiApp } from '../create-api-app';
import { listen } from '../listen';
import { FailedMessage, ReadyMessage } from './cluster-messages';
import { joinClusterMetrics } from './cluster-metrics';
import { ClusterSiblingRelay } from './cluster-relay';

/**
 * One API process of a cluster: the same app as a single process (its primary has migrated),
 * listening on the port it shares with the others, its revocations relayed to them at once. The
 * primary says when all are ready, or, once, why one could not start: this process tells it why
 * (every process of a cluster on a taken port fails alike) and exits 1 without a word of its own.
 */
export async function runApiWorker(config: AppConfig): Promise<void> {
  try {
    joinClusterMetrics();
    const relay = new ClusterSiblingRelay();
    const app = await createApiApp(config);
    relay.attach(app.get(DatabaseNotifications));
    const port = await listen(app, config.PORT);
    const ready: ReadyMessage = { type: 'hourglass:api-ready', port };
    process.send?.(ready);
  } catch (error) {
    const failed: FailedMessage = {
      type: 'hourglass:api-failed',
      reason: startupFailureText(error, config.debugLogging),
    };
    process.send?.(failed, () => process.exit(1));
  }
}
