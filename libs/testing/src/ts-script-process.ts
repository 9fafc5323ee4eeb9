import { ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(__dirname, '../../..');

/**
 * A TypeScript script (a test fixture) run in its own Node process through ts-node, with the
 * `@app/*` aliases: for what needs a real second process (locks, crashes, exit codes).
 */
export class TsScriptProcess {
  stdout = '';
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(readonly child: ChildProcess) {
    child.stdout?.on('data', (chunk: Buffer) => (this.stdout += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    // 'exit' fires once the child is reaped, so its pid is really gone afterwards.
    this.exited = new Promise((done) => child.once('exit', (code, signal) => done({ code, signal })));
  }

  /** Starts `file` (absolute, or relative to the repository root) with only PATH and `env` set. */
  static start(file: string, args: string[], env: Record<string, string>): TsScriptProcess {
    const argv = [
      '-r',
      'ts-node/register/transpile-only',
      '-r',
      'tsconfig-paths/register',
      resolve(ROOT, file),
      ...args,
    ];
    return new TsScriptProcess(spawn(process.execPath, argv, { cwd: ROOT, env: { PATH: process.env.PATH, ...env } }));
  }

  /** Runs `file` to completion. */
  static async run(file: string, args: string[], env: Record<string, string>) {
    const script = TsScriptProcess.start(file, args, env);
    const { code, signal } = await script.exited;
    return { code, signal, stdout: script.stdout, stderr: script.stderr };
  }

  /** Resolves once stdout+stderr match `pattern`; rejects if the process exits first or on timeout. */
  async waitFor(pattern: RegExp, timeoutMs = 30_000): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    let exited = false;
    void this.exited.then(() => (exited = true));
    for (;;) {
      const match = (this.stdout + this.stderr).match(pattern);
      if (match) {
        return match;
      }
      if (exited || Date.now() > deadline) {
        throw new Error(
          `${exited ? 'exited' : 'timed out'} before printing ${pattern}:\n${this.stdout}\n${this.stderr}`,
        );
      }
      await new Promise((done) => setTimeout(done, 20));
    }
  }

  /** Sends `signal` (SIGKILL: a crash) and resolves once the process is gone. */
  async kill(signal: NodeJS.Signals = 'SIGTERM') {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill(signal);
    }
    return this.exited;
  }
}
