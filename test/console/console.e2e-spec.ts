import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import {
  ADMIN,
  apiAs,
  cspViolations,
  createAccount,
  launchChromium,
  PASSWORD,
  qrVideo,
  screenshots,
  signIn,
  startApi,
  type RunningApi,
} from './console-harness';

/** Short enough to watch a token expire, long enough to redeem one by pasting it. */
const TTL_SECONDS = 8;

/**
 * The web console (issue 16) in Debian's Chromium against a real `npm start`: each role's page,
 * the live outcome of a token through the events stream, the admin's WhatsApp, scheduler and
 * ledger controls, and the vendor's camera fed a token's QR code through a fake capture device.
 * The screenshots in the README are taken here.
 */
describe('the web console, in Chromium', () => {
  let api: RunningApi;
  let browser: Browser;
  let customer: Page;

  beforeAll(async () => {
    api = await startApi({ EXCHANGE_TOKEN_TTL: `${TTL_SECONDS}s` });
    await createAccount(api.baseUrl, 'carla', 'customer', 1000);
    await createAccount(api.baseUrl, 'victor', 'vendor');
    browser = await launchChromium();
    customer = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  }, 180_000);

  afterAll(async () => {
    // Every page above ran under script-src 'self' / style-src 'self': nothing was refused.
    expect(cspViolations).toEqual([]);
    await browser?.close();
    await api?.stop();
  });

  it('shows a customer the token they create: its QR code, large, and a live countdown', async () => {
    await signIn(customer, api.baseUrl, 'carla');
    await expectText(customer.getByTestId('balance'), '1000');
    await customer.getByLabel('Points').fill('100');
    await customer.getByRole('button', { name: 'Create token' }).click();

    const qr = customer.getByRole('img', { name: /^QR code/ });
    await qr.waitFor();
    expect((await qr.boundingBox())?.width).toBeGreaterThanOrEqual(250);
    const timer = customer.getByRole('timer');
    const first = (await timer.textContent()) ?? '';
    expect(first).toMatch(/^Expires in 0:0[1-8]$/);
    await expectText(timer, new RegExp(`^Expires in 0:0(?!${first.slice(-1)}$)\\d$`)); // it ticks by itself
    await expectText(customer.getByTestId('held'), '100');
    await screenshots(customer, 'customer');
  });

  it('lets a vendor redeem it by pasting, and the customer sees "Redeemed" without a reload', async () => {
    const token = (await customer.getByTestId('token-text').textContent())?.trim() ?? '';
    const vendor = await (await browser.newContext({ viewport: { width: 390, height: 844 } })).newPage();
    await signIn(vendor, api.baseUrl, 'victor');
    await vendor.getByLabel('Token').fill(token);
    await vendor.getByRole('button', { name: 'Redeem' }).click();
    await expectText(vendor.getByTestId('scan-result'), 'Captured 100 points from carla');
    await screenshots(vendor, 'vendor');

    await expectText(customer.getByTestId('token-outcome'), /^Redeemed/);
    await expectText(customer.getByTestId('held'), '0');

    await vendor.getByLabel('Token').fill(token);
    await vendor.getByRole('button', { name: 'Redeem' }).click();
    await expectText(vendor.getByTestId('scan-result'), /^Already used/);
    await vendor.getByLabel('Token').fill('not-a-token');
    await vendor.getByRole('button', { name: 'Redeem' }).click();
    await expectText(vendor.getByTestId('scan-result'), 'Unknown token');
    await vendor.context().close();
  });

  it('shows a token left to expire with its points restored', async () => {
    await customer.getByLabel('Points').fill('50');
    await customer.getByRole('button', { name: 'Create token' }).click();
    await expectText(customer.getByTestId('token-outcome'), '50 points on hold');
    await expectText(customer.getByTestId('token-outcome'), 'Expired, 50 points restored', (TTL_SECONDS + 10) * 1000);
    await expectText(customer.getByTestId('balance'), '900');
  }, 60_000);

  it('lets a customer register and validate a WhatsApp number, and shows its live QR code', async () => {
    await customer.getByLabel('Phone number').fill('+221771234567');
    await customer.getByRole('button', { name: 'Register number' }).click();
    const mine = customer.getByRole('listitem', { name: 'WhatsApp +221771234567' });
    await expectText(mine.getByRole('status'), 'pending');
    await mine.getByRole('button', { name: 'Validate' }).click();
    await mine.getByRole('img', { name: /^QR code/ }).waitFor();
    await expectText(mine.getByRole('status'), 'qr_ready');
    await expectText(mine.getByText(/^attempt \d\/3/), /^attempt \d\/3 · worker worker-1$/);
    await expect(mine.getByRole('button', { name: 'Simulate scan' }).count()).resolves.toBe(0); // the admin's
  });

  it('lets the admin regenerate a WhatsApp QR code, simulate a scan, and see "connected"', async () => {
    const admin = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    await signIn(admin, api.baseUrl, ADMIN.username, ADMIN.password);
    const card = admin.getByRole('listitem', { name: 'WhatsApp +221771234567' });
    await card.getByRole('img', { name: /^QR code/ }).waitFor();
    await expectText(card.getByRole('status'), 'qr_ready');
    await expectText(card.getByText(/^attempt \d\/3/), /worker worker-1/);

    await card.getByRole('button', { name: 'Regenerate QR' }).click();
    await card.getByRole('img', { name: /^QR code/ }).waitFor();
    await card.getByRole('button', { name: 'Simulate scan' }).click();
    await expectText(card.getByRole('status'), 'connected');
    await expect(card.getByRole('img', { name: /^QR code/ }).count()).resolves.toBe(0);
    await admin.context().close();
  });

  it('shows the admin every hold with its countdown, the expiries and sweeps; stops and starts the scheduler; verifies the ledger', async () => {
    const carla = await apiAs(api.baseUrl, 'carla', PASSWORD);
    await carla('POST', '/api/exchange-tokens/', { points: 20 });
    const admin = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    await signIn(admin, api.baseUrl, ADMIN.username, ADMIN.password);
    await expectText(admin.getByTestId('holds-summary'), '1 active holds, 20 points held');
    const holds = admin.getByRole('table', { name: 'Active holds' });
    await expectText(holds.getByRole('row').nth(1), /^carla20\d:0\d$/);
    await expectText(admin.getByRole('table', { name: 'Recent expiries' }), /carla\+50 restored/);
    await expectText(admin.getByRole('table', { name: 'Sweep runs' }), /^cron1 tokens, 50 points/);
    await admin.getByRole('button', { name: 'Verify ledger' }).click();
    await admin.getByTestId('ledger-report').waitFor();
    await screenshots(admin, 'admin');

    await expectText(
      admin.getByTestId('vinted-summary'),
      /^active \d+ · expired \d+ · error \d+ · requires_configuration \d+$/,
    );
    await admin.getByRole('button', { name: 'Stop', exact: true }).click();
    await expectText(admin.getByTestId('scheduler-state'), 'stopped');
    await admin.getByRole('button', { name: 'Start', exact: true }).click();
    await expectText(admin.getByTestId('scheduler-state'), 'running');

    await admin.getByRole('button', { name: 'Verify ledger' }).click();
    await expectText(admin.getByTestId('ledger-report'), /^No drift: \d+ accounts match the journal\.$/);
    await admin.context().close();
  });

  it('shows API errors with their detail, and returns to sign-in when the session is revoked', async () => {
    await customer.getByLabel('Points').fill('999999');
    await customer.getByRole('button', { name: 'Create token' }).click();
    await expectText(customer.getByRole('alert').first(), /points/i);

    const elsewhere = await apiAs(api.baseUrl, 'carla', PASSWORD);
    await elsewhere('POST', '/api/token/revoke-all/');
    await customer.getByLabel('Points').fill('10');
    await customer.getByRole('button', { name: 'Create token' }).click();
    await customer.getByRole('button', { name: 'Sign in' }).waitFor();
    // Nothing kept in storage (the page's globals typed here: the test's tsconfig has no DOM types).
    const stored = () => Object.keys((globalThis as unknown as { localStorage: object }).localStorage).length;
    await expect(customer.evaluate(stored)).resolves.toBe(0);
  });

  it('reads a token from the vendor’s camera (a fake capture device playing its QR code)', async () => {
    const carla = await apiAs(api.baseUrl, 'carla', PASSWORD);
    const token = await carla<{ qrCode: string; points: number }>('POST', '/api/exchange-tokens/', { points: 30 });
    const dir = mkdtempSync(join(tmpdir(), 'hg-camera-'));
    const video = join(dir, 'qr.y4m');
    qrVideo(token.qrCode, video);
    const camera = await launchChromium([
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-video-capture=${video}`,
    ]);
    try {
      const context = await camera.newContext({ viewport: { width: 390, height: 844 } });
      await context.grantPermissions(['camera']);
      const vendor = await context.newPage();
      await signIn(vendor, api.baseUrl, 'victor');
      await vendor.getByRole('button', { name: 'Scan with camera' }).click();
      await expectText(vendor.getByTestId('scan-result'), 'Captured 30 points from carla', 20_000);
    } finally {
      await camera.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('loads fast: bytes and time to the sign-in form on loopback (printed)', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    let bytes = 0;
    let requests = 0;
    cdp.on('Network.loadingFinished', (event: { encodedDataLength: number }) => {
      bytes += event.encodedDataLength;
      requests += 1;
    });
    const started = Date.now();
    await page.goto(`${api.baseUrl}/console/`);
    await page.getByLabel('Username').waitFor();
    const firstScreenMs = Date.now() - started;
    await page.waitForLoadState('networkidle');
    console.log(
      `console first load: ${requests} requests, ${(bytes / 1024).toFixed(1)} KiB transferred, sign-in form after ${firstScreenMs} ms`,
    );
    expect(bytes).toBeLessThan(200 * 1024); // brotli: about 90 KiB, against 310 KiB uncompressed
    expect(firstScreenMs).toBeLessThan(5_000);
    await context.close();
  });
});

/** Waits until the locator's text is (or matches) `expected`. */
async function expectText(
  locator: ReturnType<Page['locator']>,
  expected: string | RegExp,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: string | null = null;
  while (Date.now() < deadline) {
    last = (await locator.textContent({ timeout: timeoutMs }).catch(() => null))?.trim() ?? null;
    if (last !== null && (typeof expected === 'string' ? last === expected : expected.test(last))) {
      return;
    }
    await new Promise((done) => setTimeout(done, 100));
  }
  throw new Error(`expected ${String(expected)}, the page shows ${JSON.stringify(last)}`);
}
