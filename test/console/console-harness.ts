import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PNG } from 'pngjs';
import { chromium, type Browser, type Page } from 'playwright-core';

/**
 * What the console's browser tests share: a real `npm start` (the built API, embedded database in
 * a fresh DATA_DIR, in-process bus, simulated WhatsApp phones) on a free port, Debian's Chromium
 * driven by playwright-core (never a downloaded browser), and the accounts the pages sign in with.
 */
export const ROOT = resolve(__dirname, '..', '..');
export const CHROMIUM = '/usr/bin/chromium';
export const SCREENSHOTS = join(ROOT, 'docs', 'screenshots');
export const ADMIN = { username: 'admin', password: 'console-admin-pass' };
export const PASSWORD = 'console-test-pass';

/** The machine's headless flags; playwright adds --headless and a fresh profile directory of its own. */
const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface RunningApi {
  baseUrl: string;
  dataDir: string;
  output: () => string;
  stop: () => Promise<void>;
}

/** `npm start` without npm (scripts/run-built.cjs api), waiting for its "listening on" line. */
export async function startApi(env: Record<string, string>): Promise<RunningApi> {
  const dataDir = mkdtempSync(join(tmpdir(), 'hg-console-'));
  const child: ChildProcess = spawn(process.execPath, ['scripts/run-built.cjs', 'api'], {
    cwd: ROOT,
    detached: true,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DATA_DIR: join(dataDir, 'data'),
      PORT: '0',
      WHATSAPP_DRIVER: 'simulator',
      ADMIN_USERNAME: ADMIN.username,
      ADMIN_PASSWORD: ADMIN.password,
      ...env,
    },
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const stop = async () => {
    if (child.exitCode === null && child.pid !== undefined) {
      const exited = new Promise((done) => child.once('exit', done));
      process.kill(-child.pid, 'SIGTERM');
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 120_000;
  for (;;) {
    const match = /listening on http:\/\/localhost:(\d+)/.exec(output);
    if (match) {
      return { baseUrl: `http://127.0.0.1:${match[1]}`, dataDir, output: () => output, stop };
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`the API did not start:\n${output}`);
    }
    await new Promise((done) => setTimeout(done, 100));
  }
}

/** A JSON call to the API as `username` (test set-up goes through the same public API as the console). */
export async function apiAs(baseUrl: string, username: string, password: string) {
  const login = await fetch(`${baseUrl}/api/token/`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  const { access } = (await login.json()) as { access: string };
  return async <T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { Authorization: `Bearer ${access}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) {
      throw new Error(`${method} ${path} → ${response.status}: ${text}`);
    }
    return (text ? JSON.parse(text) : {}) as T;
  };
}

/** Creates `username` with `role` (and `points`, for a customer) through the admin's endpoints. */
export async function createAccount(baseUrl: string, username: string, role: string, points = 0): Promise<void> {
  const admin = await apiAs(baseUrl, ADMIN.username, ADMIN.password);
  await admin('POST', '/api/admin/users/', { username, password: PASSWORD, role });
  if (points > 0) {
    await admin('POST', '/api/admin/points/grant/', { username, points, reason: 'console test' });
  }
}

export function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`No ${CHROMIUM}: install Debian's Chromium (apt-get install -y chromium), as .ci/run does`);
  }
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: [...CHROMIUM_FLAGS, ...extraArgs] });
}

/** What Chromium reported as refused by the console's Content-Security-Policy, on any page signed in here. */
export const cspViolations: string[] = [];

/** Opens the console and signs in through its form. */
export async function signIn(page: Page, baseUrl: string, username: string, password = PASSWORD): Promise<void> {
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) {
      cspViolations.push(message.text());
    }
  });
  await page.goto(`${baseUrl}/console/`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

/** The page as it is now, at desktop (1280 px) and phone (390 px) width, into docs/screenshots/. */
export async function screenshots(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const before = page.viewportSize();
  for (const [suffix, width, height] of [
    ['desktop', 1280, 800],
    ['phone', 390, 844],
  ] as const) {
    await page.setViewportSize({ width, height });
    await page.waitForTimeout(150); // one layout pass at the new width
    await page.screenshot({ path: join(SCREENSHOTS, `${name}-${suffix}.png`), fullPage: true });
    // Nothing wider than the screen: a phone must not scroll sideways.
    const pageWidth = () =>
      (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement
        .scrollWidth;
    if ((await page.evaluate(pageWidth)) > width) {
      throw new Error(`${name} is wider than ${width} px: ${await page.evaluate(pageWidth)} px`);
    }
  }
  if (before) {
    await page.setViewportSize(before);
  }
}

/**
 * A Y4M video (what Chromium's fake capture device plays, in a loop) whose frames show the QR code
 * of `dataUrl` (a `data:image/png;base64,…`), scaled up on a white 640×480 background.
 */
export function qrVideo(dataUrl: string, file: string): void {
  const png = PNG.sync.read(Buffer.from(dataUrl.replace(/^data:image\/png;base64,/, ''), 'base64'));
  const width = 640;
  const height = 480;
  const scale = Math.max(1, Math.floor(400 / Math.max(png.width, png.height)));
  const left = Math.floor((width - png.width * scale) / 2);
  const top = Math.floor((height - png.height * scale) / 2);
  const luma = Buffer.alloc(width * height, 235); // white (video range)
  for (let y = 0; y < png.height * scale; y++) {
    for (let x = 0; x < png.width * scale; x++) {
      const i = (Math.floor(y / scale) * png.width + Math.floor(x / scale)) * 4;
      const grey = (png.data[i] * 299 + png.data[i + 1] * 587 + png.data[i + 2] * 114) / 1000;
      luma[(top + y) * width + left + x] = Math.round(16 + (grey * 219) / 255);
    }
  }
  const chroma = Buffer.alloc((width / 2) * (height / 2), 128); // no colour
  const frame = Buffer.concat([Buffer.from('FRAME\n'), luma, chroma, chroma]);
  const header = Buffer.from(`YUV4MPEG2 W${width} H${height} F10:1 Ip A1:1 C420jpeg\n`);
  writeFileSync(file, Buffer.concat([header, frame, frame, frame]));
}
