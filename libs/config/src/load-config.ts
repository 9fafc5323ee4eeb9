import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { plainToInstance } from 'class-transformer';
import { ValidationError, validateSync } from 'class-validator';
import { AppConfig } from './app-config';
import { ConfigError } from './config-error';
import { applyDotEnv } from './dot-env';
import { envMeta, envVariableNames } from './env-meta';

export interface LoadedConfig {
  config: AppConfig;
  /** Things worth a log line once the logger is up (e.g. a generated development key). */
  warnings: string[];
}

const TYPE_CONSTRAINTS = ['isInt', 'isBoolean', 'isString', 'isIn', 'isUrlWithScheme', 'isCronExpression'];
const SIGNING_KEY_FILE = 'jwt-signing-key';

/**
 * Reads and validates the environment. The only place that reads `process.env`.
 * Throws `ConfigError` naming each bad variable, its problem and the expected form.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  const raw: Record<string, string> = {};
  for (const name of envVariableNames()) {
    const value = env[name];
    if (value !== undefined && value.trim() !== '') {
      raw[name] = value;
    }
  }
  const config = plainToInstance(AppConfig, raw, { excludeExtraneousValues: true, exposeDefaultValues: true });
  const errors = validateSync(config);
  const lines = errors.map((error) => describeError(error, raw[error.property]));
  lines.push(...crossFieldProblems(config, new Set(errors.map((error) => error.property))));
  if (lines.length > 0) {
    throw new ConfigError(lines);
  }
  config.DATA_DIR = resolve(config.DATA_DIR);
  const warnings: string[] = [];
  if (config.JWT_SIGNING_KEY === undefined) {
    config.JWT_SIGNING_KEY = developmentSigningKey(config.DATA_DIR, warnings);
  }
  if (config.NODE_ENV === 'production' && config.METRICS_TOKEN === undefined) {
    warnings.push(
      'METRICS_TOKEN is not set: GET /metrics is public. Set it (the scraper sends Authorization: Bearer <token>) unless only a private network reaches the API.',
    );
  }
  return { config, warnings };
}

function describeError(error: ValidationError, raw: string | undefined): string {
  const meta = envMeta(error.property);
  const constraints = error.constraints ?? {};
  // A malformed value fails its type check and its range checks alike: name the type problem.
  const first = TYPE_CONSTRAINTS.find((name) => name in constraints) ?? Object.keys(constraints)[0];
  const problem = (first && constraints[first]) ?? 'is invalid';
  const shown = meta?.secret ? `${error.property} (value hidden)` : `${error.property}=${JSON.stringify(raw)}`;
  return `Invalid configuration: ${shown} ${problem}; expected ${meta?.expected ?? 'a valid value'}.`;
}

/** Problems between valid values; `invalid` names the variables already reported as malformed. */
function crossFieldProblems(config: AppConfig, invalid: Set<string>): string[] {
  const problems: string[] = [];
  const missing = (name: string, why: string) =>
    problems.push(`Invalid configuration: ${name} is not set; expected ${envMeta(name)?.expected} (${why}).`);
  if (config.NODE_ENV === 'production' && config.JWT_SIGNING_KEY === undefined) {
    missing('JWT_SIGNING_KEY', 'required when NODE_ENV=production');
  }
  if (config.JWT_ALGORITHM !== 'HS256' && config.JWT_PRIVATE_KEY === undefined) {
    missing('JWT_PRIVATE_KEY', `required with JWT_ALGORITHM=${config.JWT_ALGORITHM}`);
  }
  if (config.ADMIN_USERNAME !== undefined && config.ADMIN_PASSWORD === undefined) {
    missing('ADMIN_PASSWORD', 'required with ADMIN_USERNAME');
  }
  if (config.ADMIN_PASSWORD !== undefined && config.ADMIN_USERNAME === undefined) {
    missing('ADMIN_USERNAME', 'required with ADMIN_PASSWORD');
  }
  // One line even when both are embedded: the database is the first thing to change.
  const workers = config.API_WORKERS ?? 1;
  if (!invalid.has('API_WORKERS') && workers > 1 && (config.embeddedDatabase || config.embeddedBus)) {
    const [what, needs] = config.embeddedDatabase
      ? ['the embedded database', 'DATABASE_URL']
      : ['the in-process bus', 'AMQP_URL'];
    problems.push(
      `Invalid configuration: API_WORKERS="${workers}" is above 1 with ${what}; expected 1 unless ${needs} is set (${what} lives in one process).`,
    );
  }
  return problems;
}

/** Outside production a missing key is generated once and kept in DATA_DIR, so tokens survive restarts. */
function developmentSigningKey(dataDir: string, warnings: string[]): string {
  const file = join(dataDir, SIGNING_KEY_FILE);
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    mkdirSync(dataDir, { recursive: true });
    const key = randomBytes(48).toString('base64url');
    try {
      writeFileSync(file, key, { mode: 0o600, flag: 'wx' });
    } catch {
      // Another process wrote it first: use theirs so both sign with one key.
      return readFileSync(file, 'utf8').trim();
    }
    warnings.push(
      `JWT_SIGNING_KEY is not set: generated a development key into ${file}. Set JWT_SIGNING_KEY in production.`,
    );
    return key;
  }
}

/**
 * For entry points (api, worker, cli): first the `.env` file of the working directory `dir` fills
 * in what the environment leaves unset (see `applyDotEnv`), then the validated config. Any
 * problem is one line per bad variable on stderr and exit status 1.
 */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env, dir = process.cwd()): LoadedConfig {
  try {
    applyDotEnv(env, dir);
    return loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}
