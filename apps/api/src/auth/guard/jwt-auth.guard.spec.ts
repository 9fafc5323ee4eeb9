import { StreamTicketsService } from '@app/auth';
import { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Public } from './access-policy.decorators';
import { JwtAuthGuard } from './jwt-auth.guard';
import { JwtStrategy } from './jwt.strategy';

class Probe {}
const openHandler = (): void => undefined;
Public()(openHandler);
const closedHandler = (): void => undefined;

const context = (type: string, handler: () => void): ExecutionContext =>
  ({
    getType: () => type,
    getHandler: () => handler,
    getClass: () => Probe,
    switchToHttp: () => {
      throw new Error('the guard must not read the request');
    },
  }) as unknown as ExecutionContext;

describe(JwtAuthGuard.name, () => {
  // No strategy and no tickets at all: these cases must be decided before any authentication.
  const guard = new JwtAuthGuard(
    new Reflector(),
    undefined as unknown as JwtStrategy,
    undefined as unknown as StreamTicketsService,
  );

  it('lets a public route through without authenticating', async () => {
    await expect(guard.canActivate(context('http', openHandler))).resolves.toBe(true);
  });

  it('leaves bus consumers alone (not HTTP routes)', async () => {
    await expect(guard.canActivate(context('rpc', closedHandler))).resolves.toBe(true);
  });

  it('reads the request of a route without a policy (closed by default)', async () => {
    await expect(guard.canActivate(context('http', closedHandler))).rejects.toThrow('must not read the request');
  });
});
