import { Writable } from 'node:stream';
import { Params, PinoLogger } from 'nestjs-pino';
import pino from 'pino';
import { NestLogger } from './nest-logger';

describe(NestLogger.name, () => {
  const lines: { level: number; context?: string; msg: string }[] = [];
  const root = pino(
    { level: 'trace' },
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()) as { level: number; context?: string; msg: string });
        done();
      },
    }),
  );
  const params: Params = { pinoHttp: { logger: root } };
  const logger = new NestLogger(new PinoLogger(params), params);
  const DEBUG = 20;
  const INFO = 30;
  const ERROR = 50;
  beforeEach(() => (lines.length = 0));

  it("writes Nest's line per module, controller and route at debug, not info", () => {
    logger.log('ConfigModule dependencies initialized', 'InstanceLoader');
    logger.log('Mapped {/api/health, GET} route', 'RouterExplorer');
    logger.log('Nest microservice successfully started', 'NestMicroservice');
    expect(lines.map(({ level, context }) => [level, context])).toEqual([
      [DEBUG, 'InstanceLoader'],
      [DEBUG, 'RouterExplorer'],
      [DEBUG, 'NestMicroservice'],
    ]);
  });

  it('drops the "successfully started" that init() says before the port is open', () => {
    logger.log('Nest application successfully started', 'NestApplication');
    expect(lines).toEqual([]);
  });

  it('leaves the error that stopped a boot to the caller (debug only)', () => {
    logger.error('Error: listen EADDRINUSE: address already in use :::3000', 'NestApplication');
    logger.error(new Error('database "x" does not exist'), undefined, 'ExceptionHandler');
    expect(lines.map(({ level }) => level)).toEqual([DEBUG, DEBUG]);
  });

  it("writes the app's own lines as they are", () => {
    logger.log('Applied migration CreateLedger1763900000000', 'MigrationService');
    logger.error('Could not restore the WhatsApp sessions', 'WhatsApp');
    expect(lines).toEqual([
      expect.objectContaining({
        level: INFO,
        context: 'MigrationService',
        msg: 'Applied migration CreateLedger1763900000000',
      }),
      expect.objectContaining({ level: ERROR, context: 'WhatsApp', msg: 'Could not restore the WhatsApp sessions' }),
    ]);
  });
});
