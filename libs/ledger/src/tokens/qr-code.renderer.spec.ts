import { crc32, inflateSync } from 'node:zlib';
import { create } from 'qrcode';
import { newExchangeToken } from './exchange-token-format';
import { QR_MARGIN, QR_SCALE, QrCodeRenderer } from './qr-code.renderer';

/** Reads a 1-bit grayscale PNG with unfiltered rows, checking its signature and every chunk's CRC. */
function decode(png: Buffer): { width: number; height: number; dark(x: number, y: number): boolean } {
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  const chunks: { type: string; data: Buffer }[] = [];
  for (let at = 8; at < png.length;) {
    const length = png.readUInt32BE(at);
    const data = png.subarray(at + 8, at + 8 + length);
    expect(png.readUInt32BE(at + 8 + length)).toBe(crc32(png.subarray(at + 4, at + 8 + length)) >>> 0);
    chunks.push({ type: png.toString('latin1', at + 4, at + 8), data });
    at += 12 + length;
  }
  expect(chunks.map((c) => c.type)).toEqual(['IHDR', 'IDAT', 'IEND']);
  const header = chunks[0].data;
  expect({ bitDepth: header[8], colorType: header[9], interlace: header[12] }).toEqual({
    bitDepth: 1,
    colorType: 0,
    interlace: 0,
  });
  const width = header.readUInt32BE(0);
  const stride = 1 + Math.ceil(width / 8);
  const raw = inflateSync(chunks[1].data);
  const height = header.readUInt32BE(4);
  expect(raw.length).toBe(stride * height);
  const filters = Array.from({ length: height }, (_, y) => raw[y * stride]);
  expect(filters.every((filter) => filter === 0)).toBe(true); // filter type "none" on every row
  return { width, height, dark: (x, y) => (raw[y * stride + 1 + (x >> 3)] & (0x80 >> (x & 7))) === 0 };
}

describe(QrCodeRenderer.name, () => {
  const renderer = new QrCodeRenderer();

  it('draws a PNG whose every pixel is the QR code of the token, in byte mode, with a white margin', () => {
    const token = newExchangeToken();
    const url = renderer.dataUrl(token);
    expect(url).toMatch(/^data:image\/png;base64,[A-Za-z0-9+/]+=*$/);
    const image = decode(Buffer.from(url.slice('data:image/png;base64,'.length), 'base64'));
    const symbol = create([{ data: Buffer.from(token, 'latin1'), mode: 'byte' }], { errorCorrectionLevel: 'M' });
    expect(symbol.version).toBe(3); // 29 × 29 modules: 32 bytes fit version 3 at level M
    const size = symbol.modules.size;
    expect(image).toMatchObject({
      width: (size + 2 * QR_MARGIN) * QR_SCALE,
      height: (size + 2 * QR_MARGIN) * QR_SCALE,
    });
    for (let y = 0; y < image.height; y++) {
      for (let x = 0; x < image.width; x++) {
        const [row, column] = [Math.floor(y / QR_SCALE) - QR_MARGIN, Math.floor(x / QR_SCALE) - QR_MARGIN];
        const inside = row >= 0 && column >= 0 && row < size && column < size;
        const dark = inside && symbol.modules.get(row, column) === 1;
        if (image.dark(x, y) !== dark) {
          throw new Error(`pixel (${x}, ${y}) is ${dark ? 'light' : 'dark'}, module (${row}, ${column}) is not`);
        }
      }
    }
  });

  it('draws the same image for the same token, so a replayed creation answers the same qrCode', () => {
    const token = newExchangeToken();
    expect(renderer.dataUrl(token)).toBe(renderer.dataUrl(token));
    expect(renderer.dataUrl(token)).not.toBe(renderer.dataUrl(newExchangeToken()));
  });
});
