import { AppConfig } from '@app/config';
import { NextFunction, Request, RequestHandler, Response } from 'express';
import helmet, { HelmetOptions } from 'helmet';
import { CONSOLE_PATH } from '../console/console-static';
import { SWAGGER_PATH } from '../swagger';

/**
 * The JSON API (and every other answer but the Swagger UI): a browser that renders one anyway may
 * load nothing from it, and nothing may frame it (OWASP's REST API headers).
 */
const API_CSP = { defaultSrc: ["'none'"], frameAncestors: ["'none'"] };

/**
 * The Swagger UI page (`/api/docs`): its scripts are same-origin files (swagger-ui-bundle.js, the
 * preset and swagger-ui-init.js, no inline script and no eval), so `script-src 'self'`; its
 * template has two inline `<style>` blocks and a `style` attribute, so styles also allow
 * 'unsafe-inline'; its stylesheet draws icons from `data:` URLs; "Try it out" calls this origin.
 * test/security-headers.e2e-spec.ts checks the served page against this policy.
 */
const DOCS_CSP = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

/**
 * The web console (`/console/`): Vite's build is same-origin files only (one module script, one
 * stylesheet, no inline script or style element), so `script-src 'self'` and `style-src 'self'`;
 * QR codes arrive as `data:` PNGs; the camera preview is a `blob:`/MediaStream; it calls this origin only.
 */
const CONSOLE_CSP = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  mediaSrc: ["'self'", 'blob:'],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

const DOCS_PREFIX = `/${SWAGGER_PATH}`;

/** The console's page and assets. */
function isConsole(path: string): boolean {
  return path === CONSOLE_PATH || path.startsWith(`${CONSOLE_PATH}/`);
}

/** The Swagger UI page and its assets (not the OpenAPI JSON at `/api/docs-json`). */
function isSwaggerUi(path: string): boolean {
  return path === DOCS_PREFIX || path.startsWith(`${DOCS_PREFIX}/`);
}

/**
 * CONTRACT §8's security headers on every response, from helmet: `X-Content-Type-Options:
 * nosniff`, never framed (`X-Frame-Options: DENY` and CSP `frame-ancestors 'none'`), no
 * `X-Powered-By`, a Content-Security-Policy (strict for the API, what Swagger UI needs on its
 * page), HSTS only when NODE_ENV=production (a development server on plain HTTP must not pin
 * localhost to HTTPS), and helmet's other defaults (Referrer-Policy, Cross-Origin-*-Policy…).
 *
 * Answers are never cached (`Cache-Control: no-store`, `Pragma: no-cache`, RFC 6749 §5.1): tokens,
 * exchange tokens, Vinted tokens and QR codes travel in bodies and headers, and a policy that
 * covers every answer cannot miss a new one. Only the Swagger UI's and the console's static pages
 * and assets are left to their static servers' caching.
 */
export function securityHeaders(config: AppConfig): RequestHandler {
  const common: HelmetOptions = {
    strictTransportSecurity:
      config.NODE_ENV === 'production' ? { maxAge: 365 * 86_400, includeSubDomains: true } : false,
    xFrameOptions: { action: 'deny' },
  };
  const api = helmet({ ...common, contentSecurityPolicy: { useDefaults: false, directives: API_CSP } });
  const docs = helmet({ ...common, contentSecurityPolicy: { useDefaults: false, directives: DOCS_CSP } });
  const consolePage = helmet({ ...common, contentSecurityPolicy: { useDefaults: false, directives: CONSOLE_CSP } });
  return (request: Request, response: Response, next: NextFunction) => {
    if (isSwaggerUi(request.path)) {
      docs(request, response, next);
      return;
    }
    if (isConsole(request.path)) {
      consolePage(request, response, next); // its static server sets the caching (serveConsole)
      return;
    }
    response.setHeader('Cache-Control', 'no-store');
    response.setHeader('Pragma', 'no-cache');
    api(request, response, next);
  };
}
