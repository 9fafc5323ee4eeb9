import { loadConfig } from '@app/config';
import { TestStack, createTestStack } from '@app/testing';
import { Controller, Get, Module } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { createApiApp } from '../apps/api/src/create-api-app';
import { routeDeclarations } from './support/route-access';
import { Public } from '../apps/api/src/auth/guard';

@Controller('api/undeclared-probe')
class UndeclaredController {
  @Get()
  list() {
    return [];
  }

  @Get('open')
  @Public()
  open() {
    return [];
  }
}

@Module({ controllers: [UndeclaredController] })
class UndeclaredModule {}

describe('route access declarations', () => {
  let stack: TestStack;
  let app: NestExpressApplication | undefined;

  beforeAll(async () => {
    stack = await createTestStack('embedded');
  });
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });
  afterAll(async () => stack?.cleanup());

  it('finds that every route of the API declares public, authenticated or roles', async () => {
    app = await createApiApp(loadConfig(stack.env).config);
    const routes = routeDeclarations(app);
    expect(routes.map((route) => route.route)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^HealthController\.live/),
        expect.stringMatching(/^MetricsController\.index/),
        expect.stringMatching(/^TokenController\.obtain/),
      ]),
    );
    expect(routes.filter((route) => !route.declared).map((route) => route.route)).toEqual([]);
  });

  it('catches an undeclared route', async () => {
    app = await createApiApp(loadConfig(stack.env).config, [UndeclaredModule]);
    expect(
      routeDeclarations(app)
        .filter((route) => !route.declared)
        .map((route) => route.route),
    ).toEqual(['UndeclaredController.list (api/undeclared-probe)']);
  });
});
