import { TokenRejectedError } from '@app/auth';
import { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ExactHttpError } from '../../http/exact-http-error';
import { Public } from './access-policy.decorators';
import { JwtAuthGuard } from './jwt-auth.guard';

class Probe {}
const openHandler = (): void => undefined;
Public()(openHandler);

const httpContext = (handler: () => void): ExecutionContext =>
  ({
    getType: () => 'http',
    getHandler: () => handler,
    getClass: () => Probe,
    switchToHttp: () => {
      throw new Error('a public route must not read the request');
    },
  }) as unknown as ExecutionContext;

describe(JwtAuthGuard.name, () => {
  const guard = new JwtAuthGuard(new Reflector());

  it('lets a public route through without authenticating', async () => {
    await expect(guard.canActivate(httpContext(openHandler))).resolves.toBe(true);
  });

  it("rethrows the strategy's refusal as it is, never passport's bare UnauthorizedException", () => {
    const refusal = new TokenRejectedError('Token is expired', 'authentication');
    expect(() => guard.handleRequest(refusal, false)).toThrow(refusal);
  });

  it("answers simplejwt's 'not provided' when the strategy neither authenticated nor refused", () => {
    expect(() => guard.handleRequest(null, false)).toThrow(ExactHttpError);
  });
});
