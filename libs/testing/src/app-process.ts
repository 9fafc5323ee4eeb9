import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../../..');

export type AppName = 'api' | 'worker' | 'cli';

/** The compiled entry point of an app (`npm run build` makes it). */
export function distEntry(app: AppName): string {
  const entry = join(ROOT, 'dist', 'apps', app, 'apps', app, 'src', 'main.js');
  if (!existsSync(entry)) {
    throw new Error(`${entry} is missing: run \`npm run build\` first (npm test does it).`);
  }
  return entry;
}

/** Environment of a child app: only what the test gives, plus PATH, so the developer's shell leaks nothing. */
function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, LOG_LEVEL: 'warn', ...env };
}

export interface AppProcessOptions {
  /** The working directory, where the app reads `.env`; default an empty directory of this test file's own. */
  cwd?: string;
}

let emptyDir: string | undefined;

/**
 * Where a child app runs unless the test says otherwise: not the checkout, whose `.env` (a
 * developer's settings) the app would read, but an empty directory, so only `env` configures it.
 */
function defaultCwd(): string {
  emptyDir ??= mkdtempSync(join(tmpdir(), 'hg-app-cwd-'));
  return emptyDir;
}

/** A running app process whose output the test can wait on. */
export class AppProcess {
  stdout = '';
  stderr = '';
  readonly exited: Promise<number | null>;

  private constructor(readonly child: ChildProcess) {
    child.stdout?.on('data', (chunk: Buffer) => (this.stdout += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  static start(
    app: AppName,
    env: Record<string, string>,
    args: string[] = [],
    { cwd = defaultCwd() }: AppProcessOptions = {},
  ): AppProcess {
    return new AppProcess(spawn(process.execPath, [distEntry(app), ...args], { env: childEnv(env), cwd }));
  }

  /** Resolves with the first match of `pattern` in stdout+stderr; rejects on exit or timeout. */
  async waitFor(pattern: RegExp, timeoutMs = 60_000): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    let exitCode: number | null | undefined;
    void this.exited.then((code) => (exitCode = code));
    while (Date.now() < deadline) {
      const match = (this.stdout + this.stderr).match(pattern);
      if (match) {
        return match;
      }
      if (exitCode !== undefined) {
        throw new Error(`process exited (${exitCode}) before printing ${pattern}:\n${this.stdout}\n${this.stderr}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`timed out waiting for ${pattern}:\n${this.stdout}\n${this.stderr}`);
  }

  /**
   * Sends SIGTERM (or `signal`) and resolves with how the process ended: its exit code, or the
   * signal's name (Nest re-raises SIGTERM once its graceful shutdown is done).
   */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | NodeJS.Signals | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill(signal);
    }
    const code = await this.exited;
    return code ?? this.child.signalCode;
  }
}

/** Runs an app to completion (the CLI, or an app that must refuse to start). */
export async function runApp(
  app: AppName,
  env: Record<string, string>,
  args: string[] = [],
  options: AppProcessOptions = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const process = AppProcess.start(app, env, args, options);
  const code = await process.exited;
  return { code, stdout: process.stdout, stderr: process.stderr };
}
