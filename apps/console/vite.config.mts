import { defineConfig } from 'vite';

/**
 * The web console, built into dist/console/ and served by the API at /console/
 * (apps/api/src/console/console-static.ts). Paths are relative to this file, so the build gives the
 * same output from any working directory. React's JSX goes through Vite's own Oxc transform
 * (automatic runtime), which is all @vitejs/plugin-react would add to a production build.
 */
const here = (path: string) => decodeURIComponent(new URL(path, import.meta.url).pathname);

export default defineConfig({
  root: here('.'),
  base: '/console/',
  resolve: { alias: { '@app/client': here('../../libs/client/src/index.ts') } },
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: here('../../dist/console'),
    emptyOutDir: true,
    // Only same-origin files: the API's CSP for /console/ is script-src 'self' (no inline script).
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    reportCompressedSize: false,
  },
});
