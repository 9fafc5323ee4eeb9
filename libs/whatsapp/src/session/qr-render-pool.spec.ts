import { qrImageDataUrl } from './qr-image';
import { QrRenderPool } from './qr-render-pool';

describe(QrRenderPool.name, () => {
  const pool = new QrRenderPool();
  afterAll(async () => pool.onApplicationShutdown());

  it('renders on its thread exactly the image the event loop would, for many payloads at once', async () => {
    const payloads = Array.from({ length: 50 }, (_, i) => `2@ref-${i},noise-key-${i},identity-key-${i},adv-${i}`);
    const rendered = await Promise.all(payloads.map((payload) => pool.render(payload)));
    const inline = await Promise.all(payloads.map((payload) => qrImageDataUrl(payload)));
    expect(rendered).toEqual(inline);
    expect(rendered[0]).toMatch(/^data:image\/png;base64,iVBORw0KGgo/);
  });

  it('keeps rendering, on the event loop, once it has been shut down', async () => {
    const stopped = new QrRenderPool();
    await stopped.render('warm-up');
    await stopped.onApplicationShutdown();
    await expect(stopped.render('after the end')).resolves.toBe(await qrImageDataUrl('after the end'));
  });
});
