import { AddressInfo, Server, createServer } from 'node:net';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { PortInUseError, listen } from './listen';

@Module({})
class EmptyModule {}

describe(listen.name, () => {
  let taken: Server;
  beforeAll(async () => {
    taken = createServer();
    await new Promise<void>((listening) => taken.listen(0, () => listening()));
  });
  afterAll(() => new Promise((closed) => taken.close(closed)));

  it('says which port is in use, as an error the user can act on', async () => {
    const { port } = taken.address() as AddressInfo;
    const app = await NestFactory.create(EmptyModule, { logger: false, abortOnError: false });
    try {
      const error = await listen(app, port).catch((reason: unknown) => reason);
      expect(error).toBeInstanceOf(PortInUseError);
      expect((error as Error).message).toBe(
        `port ${port} is already in use (another Hourglass or another program): stop it or set PORT.`,
      );
    } finally {
      await app.close();
    }
  });

  it('resolves with the port it chose for PORT=0', async () => {
    const app = await NestFactory.create(EmptyModule, { logger: false, abortOnError: false });
    try {
      const port = await listen(app, 0);
      expect(port).toBe((app.getHttpServer().address() as AddressInfo).port);
      expect(port).toBeGreaterThan(0);
    } finally {
      await app.close();
    }
  });
});
