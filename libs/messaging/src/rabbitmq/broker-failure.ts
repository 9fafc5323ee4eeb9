import { AppError } from '@app/common';
import { describeError } from '../describe-error';

/** What AMQP_URL names, for messages: never its password. */
interface BrokerTarget {
  hostAndPort: string;
  user: string;
  vhost: string;
}

function target(amqpUrl: string): BrokerTarget {
  const url = new URL(amqpUrl);
  const path = decodeURIComponent(url.pathname.slice(1));
  return {
    hostAndPort: `${url.hostname.replace(/^\[(.*)\]$/, '$1') || 'localhost'}:${url.port || (url.protocol === 'amqps:' ? '5671' : '5672')}`,
    // amqplib's defaults for what the URL leaves out.
    user: url.username === '' ? 'guest' : decodeURIComponent(url.username),
    vhost: path === '' ? '/' : path,
  };
}

/** Nothing answers at AMQP_URL (or it hung up during the handshake): RabbitMQ may be coming up. */
export class BrokerUnreachableError extends AppError {
  constructor(amqpUrl: string, reason: string) {
    super(
      'broker_unreachable',
      `Cannot reach RabbitMQ at ${target(amqpUrl).hostAndPort} (${reason}): start it, or fix AMQP_URL.`,
      503,
    );
  }
}

/** RabbitMQ refused AMQP_URL's user or password (ACCESS_REFUSED). */
export class BrokerLoginRefusedError extends AppError {
  constructor(amqpUrl: string) {
    const { hostAndPort, user } = target(amqpUrl);
    super(
      'broker_login_refused',
      `RabbitMQ at ${hostAndPort} refused the login of "${user}": fix the user or password in AMQP_URL.`,
      503,
    );
  }
}

/** RabbitMQ let the user in but would not open the virtual host: it does not exist, or the user has no access. */
export class BrokerVhostRefusedError extends AppError {
  constructor(amqpUrl: string) {
    const { hostAndPort, user, vhost } = target(amqpUrl);
    super(
      'broker_vhost_refused',
      `RabbitMQ at ${hostAndPort} would not open the virtual host "${vhost}" for "${user}" (it does not exist, or the user ` +
        `has no access to it): create it with \`rabbitmqctl add_vhost ${vhost}\` and ` +
        `\`rabbitmqctl set_permissions -p ${vhost} ${user} ".*" ".*" ".*"\`, or fix AMQP_URL.`,
      503,
    );
  }
}

/**
 * What a failed connection to the broker of `amqpUrl` means for the user. amqplib says a refused
 * login in the handshake's close reason (403 ACCESS-REFUSED) and a refused virtual host only as a
 * close where ConnectionOpenOk was expected; anything else is taken as a broker not answering.
 */
export function brokerFailure(error: unknown, amqpUrl: string): AppError {
  const reason = describeError(error);
  if (/ACCESS[-_]REFUSED/.test(reason)) {
    return new BrokerLoginRefusedError(amqpUrl);
  }
  if (/Expected ConnectionOpenOk/.test(reason)) {
    return new BrokerVhostRefusedError(amqpUrl);
  }
  return new BrokerUnreachableError(amqpUrl, reason);
}
