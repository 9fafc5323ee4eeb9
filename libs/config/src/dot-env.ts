import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'dotenv';
import { ConfigError } from './config-error';

/** The file read from the working directory, as `@nestjs/config` and `dotenv/config` read it. */
export const DOT_ENV_FILE = '.env';

/**
 * Adds the variables of `<dir>/.env` to `env` (the process's environment), each only if `env` does
 * not have it already: the environment wins over the file, as with dotenv. It writes into `env`
 * rather than returning a copy so the libraries that read `process.env` themselves (`pg`'s `PG*`,
 * Express's `NODE_ENV`) see what the file says too. No file is no change; a file that exists but
 * cannot be read throws a `ConfigError`.
 */
export function applyDotEnv(env: NodeJS.ProcessEnv, dir: string): void {
  const file = join(dir, DOT_ENV_FILE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return;
    }
    throw new ConfigError([`Invalid configuration: cannot read ${file} (${(error as Error).message}).`]);
  }
  for (const [name, value] of Object.entries(parse(text))) {
    if (!Object.prototype.hasOwnProperty.call(env, name)) {
      env[name] = value;
    }
  }
}
