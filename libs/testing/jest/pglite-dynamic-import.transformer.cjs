'use strict';
/**
 * Jest transformer for PGlite's CommonJS build (wired in jest.config.ts).
 *
 * PGlite loads Node built-ins with `import("fs/promises")` etc.; Jest's module sandbox runs
 * `import()` only under --experimental-vm-modules, so a plain `npx jest` fails with
 * ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING_FLAG. This rewrites each `import("<built-in>")` into a
 * resolved `require` of it. The `require` goes through a function declared at the top level
 * because the Emscripten glue declares a local `var require` that would shadow the module's.
 */
const { createHash } = require('node:crypto');
const { readFileSync } = require('node:fs');

const BUILTIN_IMPORT = /\bimport\(("[a-z_/:]+")\)/g;
const SELF = createHash('sha256').update(readFileSync(__filename)).digest('hex');

module.exports = {
  process(source) {
    const code = source.replace(BUILTIN_IMPORT, 'Promise.resolve(__hourglassRequire($1))');
    return { code: `${code}\nfunction __hourglassRequire(id) { return require(id); }\n` };
  },
  getCacheKey(source, path) {
    return createHash('sha256').update(SELF).update(path).update(source).digest('hex');
  },
};
