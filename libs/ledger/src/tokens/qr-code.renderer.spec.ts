import { inflateSync } from 'node:zlib';
import { create } from 'qrcode';
import { newExchangeToken } from './exchange-token-format';
import { QrCodeRenderer } from './qr-code.renderer';

/** Decodes an 8-bit grayscale PNG (any of the five row filters) into rows of pixel values. */
function decodeGrayPng(png: Buffer): { width: number; rows: Uint8Array[] } {
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  let offset = 8;
  let width = 0;
  let height = 0;
  const idat: Buffer[] = [];
  while (offset < png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.toString('latin1', offset + 4, offset + 8);
    const data = png.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      [width, height] = [data.readUInt32BE(0), data.readUInt32BE(4)];
      expect({ bitDepth: data[8], colorType: data[9] }).toEqual({ bitDepth: 8, colorType: 0 });
    } else if (type === 'IDAT') {
      idat.push(data);
    }
    offset += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const rows: Uint8Array[] = [];
  let previous = new Uint8Array(width);
  for (let y = 0; y < height; y++) {
    const start = y * (width + 1);
    const filter = raw[start];
    const row = new Uint8Array(width);
    for (let x = 0; x < width; x++) {
      const [left, up, upLeft] = [x > 0 ? row[x - 1] : 0, previous[x], x > 0 ? previous[x - 1] : 0];
      const paeth = () => {
        const p = left + up - upLeft;
        const [pa, pb, pc] = [Math.abs(p - left), Math.abs(p - up), Math.abs(p - upLeft)];
        return pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft;
      };
      const predictor = [0, left, up, (left + up) >> 1, paeth()][filter];
      row[x] = (raw[start + 1 + x] + predictor) & 0xff;
    }
    rows.push(row);
    previous = row;
  }
  return { width, rows };
}

describe(QrCodeRenderer.name, () => {
  it('draws a PNG whose modules are exactly the QR code of the token', async () => {
    const token = newExchangeToken();
    const url = await new QrCodeRenderer().render(token);
    expect(url).toMatch(/^data:image\/png;base64,[A-Za-z0-9+/]+=*$/);
    const { width, rows } = decodeGrayPng(Buffer.from(url.slice('data:image/png;base64,'.length), 'base64'));
    const { modules } = create(token, { errorCorrectionLevel: 'M' });
    const [scale, margin] = [5, 2];
    expect(width).toBe((modules.size + 2 * margin) * scale);
    for (let r = 0; r < modules.size; r++) {
      for (let c = 0; c < modules.size; c++) {
        // The centre pixel of each module: dark for a set module, light otherwise.
        const pixel = rows[(r + margin) * scale + 2][(c + margin) * scale + 2];
        expect({ r, c, dark: pixel < 128 }).toEqual({ r, c, dark: Boolean(modules.get(r, c)) });
      }
    }
    expect(rows[0].every((pixel) => pixel > 128)).toBe(true); // the quiet zone
  });
});
