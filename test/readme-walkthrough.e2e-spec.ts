import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * The README's walkthrough (issue 14): every ```bash block of README.md, in order, as one bash
 * session with `set -euo pipefail`, in the checkout's root, against a fresh `npm start` (embedded
 * database in a new DATA_DIR, in-process bus) — exactly what a newcomer does in a second terminal.
 * The blocks are read from the README itself, so the two cannot drift apart. The only change is the
 * port: the README says localhost:3000, the server here listens on a free one.
 */
const ROOT = resolve(__dirname, '..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

function walkthroughBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```bash\n([\s\S]*?)^```$/gm)].map((match) => match[1]);
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess & { output: () => string } {
  const child = spawn(command, args, { cwd: ROOT, env, detached: true });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return Object.assign(child, { output: () => output });
}

async function waitFor(child: ReturnType<typeof run>, pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const match = pattern.exec(child.output());
    if (match) {
      return match;
    }
    if (child.exitCode !== null) {
      throw new Error(`npm start exited (${child.exitCode}):\n${child.output()}`);
    }
    await new Promise((done) => setTimeout(done, 50));
  }
  throw new Error(`npm start never said ${pattern}:\n${child.output()}`);
}

describe('the README walkthrough', () => {
  let dataDir: string;
  let api: ReturnType<typeof run> | undefined;
  let env: NodeJS.ProcessEnv;

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'hg-readme-'));
    // What a newcomer's shell has: no DATABASE_URL, no AMQP_URL, nothing of this test runner's.
    env = { PATH: process.env.PATH, HOME: process.env.HOME, DATA_DIR: join(dataDir, 'data') };
  });
  afterAll(async () => {
    if (api && api.exitCode === null && api.pid !== undefined) {
      const exited = new Promise((done) => api?.once('exit', done));
      process.kill(-api.pid, 'SIGTERM');
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('is the README’s bash blocks, starting with the accounts the later ones use', () => {
    const blocks = walkthroughBlocks(README);
    expect(blocks.length).toBeGreaterThanOrEqual(8);
    // The set-up commands start the server and run the tests: not part of the walkthrough.
    expect(blocks.join('\n')).not.toMatch(/npm (start|test|ci)\b/);
    expect(blocks[0]).toMatch(/users create --username admin/);
  });

  it('runs top to bottom against a fresh npm start, every step answering as the README says', async () => {
    api = run('npm', ['start'], { ...env, PORT: '0' });
    const [, port] = await waitFor(api, /listening on http:\/\/localhost:(\d+)/, 120_000);
    const script = walkthroughBlocks(README).join('\n').replaceAll('localhost:3000', `localhost:${port}`);

    const walk = run('bash', ['-euo', 'pipefail', '-c', script], env);
    const code = await new Promise<number | null>((done) => walk.once('exit', done));
    const output = walk.output();

    expect({ code, tail: output.slice(-3000) }).toEqual({ code: 0, tail: expect.any(String) as string });
    // The answers the comments promise, in the order they come.
    const promised = [
      'Created admin "admin" (id 1).',
      'Created vendor "shop" (id 2).',
      '"username":"alice"',
      '{"balance":0,"held":0}',
      '{"revoked":2}',
      'Token is blacklisted',
      'New password has been saved.',
      '{"balance":500}',
      '{"balance":400,"held":100}',
      '"customer":"alice","vendor":"shop"',
      '"code":"token_already_used"',
      '"status":"used"',
      'Granted 500 points to alice; balance is now 900.',
      'Ledger consistent',
      '"status":"requires_configuration"',
      'event: qr_generated',
      '"status":"qr_ready"',
      '"status":"connected"',
      '"numbers":[',
      'Created customer "bob"',
      'needs AMQP_URL',
    ];
    let from = 0;
    for (const text of promised) {
      const at = output.indexOf(text, from);
      expect({ text, found: at >= 0 }).toEqual({ text, found: true });
      from = at + text.length;
    }
    expect(output.trimEnd().endsWith('true')).toBe(true);
  }, 300_000);
});
