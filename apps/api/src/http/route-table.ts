import { INestApplication } from '@nestjs/common';

interface RouteLayer {
  route?: { path: string; methods: Record<string, boolean> };
  match(path: string): boolean;
}

interface ExpressInstance {
  router: { stack: RouteLayer[] };
}

// Nest mounts path-wide middleware as a catch-all route answering every HTTP method; a handler
// maps one method (or a few). Those catch-alls would make every path look served.
const MIDDLEWARE_METHOD_COUNT = 20;

function isHandlerRoute(layer: RouteLayer): boolean {
  return layer.route !== undefined && Object.keys(layer.route.methods).length < MIDDLEWARE_METHOD_COUNT;
}

/** The routes Express serves, read once after the app is initialised (for 405 answers). */
export class RouteTable {
  private constructor(private readonly layers: RouteLayer[]) {}

  static of(app: INestApplication): RouteTable {
    const instance = app.getHttpAdapter().getInstance() as ExpressInstance;
    return new RouteTable(instance.router.stack.filter(isHandlerRoute));
  }

  /** Methods served at `path` (upper case), empty when no route matches it at all. */
  allowedMethods(path: string): string[] {
    const methods = new Set<string>();
    for (const layer of this.layers) {
      if (layer.match(path)) {
        Object.keys(layer.route?.methods ?? {}).forEach((method) => methods.add(method.toUpperCase()));
      }
    }
    return [...methods];
  }

  list(): { path: string; methods: string[] }[] {
    return this.layers.map((layer) => ({
      path: layer.route?.path ?? '',
      methods: Object.keys(layer.route?.methods ?? {}).map((method) => method.toUpperCase()),
    }));
  }
}
