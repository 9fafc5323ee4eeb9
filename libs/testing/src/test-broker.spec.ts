import { busTargets } from './test-broker';

describe('busTargets', () => {
  const saved = { TEST_AMQP_URL: process.env.TEST_AMQP_URL, CI: process.env.CI };

  afterEach(() => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) {
        delete process.env[name];
      } else {
        process.env[name] = value;
      }
    }
  });

  it('runs on RabbitMQ too when TEST_AMQP_URL is set', () => {
    process.env.TEST_AMQP_URL = 'amqp://guest:guest@127.0.0.1:5672';
    expect(busTargets()).toEqual(['in-process', 'rabbitmq']);
  });

  it('runs in-process only when TEST_AMQP_URL is unset outside CI', () => {
    delete process.env.TEST_AMQP_URL;
    delete process.env.CI;
    expect(busTargets()).toEqual(['in-process']);
  });

  it('fails in CI when TEST_AMQP_URL is unset, instead of skipping the RabbitMQ tests', () => {
    delete process.env.TEST_AMQP_URL;
    process.env.CI = 'true';
    expect(() => busTargets()).toThrow(/TEST_AMQP_URL/);
  });
});
