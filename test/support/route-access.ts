import { INestApplication } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService } from '@nestjs/core';
import { ACCESS_POLICY } from '../../apps/api/src/auth/guard';

/** Every HTTP route handler of the app's controllers, with whether it declares an access policy. */
export function routeDeclarations(app: INestApplication): { route: string; declared: boolean }[] {
  const routes: { route: string; declared: boolean }[] = [];
  for (const wrapper of app.get(DiscoveryService).getControllers()) {
    const controller = wrapper.metatype as (new (...args: unknown[]) => unknown) | null;
    if (!controller) {
      continue;
    }
    const prototype = controller.prototype as Record<string, unknown>;
    const names = new Set<string>();
    for (
      let proto: object | null = prototype;
      proto && proto !== Object.prototype;
      proto = Object.getPrototypeOf(proto) as object | null
    ) {
      Object.getOwnPropertyNames(proto).forEach((name) => names.add(name));
    }
    for (const name of names) {
      const handler = prototype[name];
      if (
        name === 'constructor' ||
        typeof handler !== 'function' ||
        Reflect.getMetadata(METHOD_METADATA, handler) === undefined
      ) {
        continue;
      }
      const declared =
        Reflect.getMetadata(ACCESS_POLICY, handler) !== undefined ||
        Reflect.getMetadata(ACCESS_POLICY, controller) !== undefined;
      routes.push({
        route: `${controller.name}.${name} (${String(Reflect.getMetadata(PATH_METADATA, controller))})`,
        declared,
      });
    }
  }
  return routes;
}
