import {
  BrokerLoginRefusedError,
  BrokerUnreachableError,
  BrokerVhostRefusedError,
  brokerFailure,
} from './broker-failure';

// amqplib's own errors, as it raises them (checked against RabbitMQ 3.13).
const refusedLogin = new Error(
  'Handshake terminated by server: 403 (ACCESS-REFUSED) with message "ACCESS_REFUSED - Login was refused using authentication mechanism PLAIN. For details see the broker logfile."',
);
const refusedVhost = new Error('Expected ConnectionOpenOk; got <ConnectionClose channel:0>');
const refusedConnection = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5672'), { code: 'ECONNREFUSED' });

describe(brokerFailure.name, () => {
  const url = 'amqp://app:s3cret@rabbit.internal:5673/hourglass';

  it('says that the login was refused, naming the user, never the password', () => {
    const failure = brokerFailure(refusedLogin, url);
    expect(failure).toBeInstanceOf(BrokerLoginRefusedError);
    expect(failure.message).toBe(
      'RabbitMQ at rabbit.internal:5673 refused the login of "app": fix the user or password in AMQP_URL.',
    );
  });

  it('says how to create a virtual host it would not open', () => {
    const failure = brokerFailure(refusedVhost, url);
    expect(failure).toBeInstanceOf(BrokerVhostRefusedError);
    expect(failure.message).toContain('`rabbitmqctl add_vhost hourglass`');
    expect(failure.message).not.toContain('s3cret');
  });

  it("takes anything else for a broker that does not answer, with amqplib's defaults for what the URL leaves out", () => {
    const failure = brokerFailure(refusedConnection, 'amqp://localhost');
    expect(failure).toBeInstanceOf(BrokerUnreachableError);
    expect(failure.message).toBe(
      'Cannot reach RabbitMQ at localhost:5672 (connect ECONNREFUSED 127.0.0.1:5672): start it, or fix AMQP_URL.',
    );
    expect(brokerFailure(refusedLogin, 'amqp://localhost').message).toContain('refused the login of "guest"');
  });
});
