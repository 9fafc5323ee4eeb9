import { crc32, inflateSync } from 'node:zlib';
import { create } from 'qrcode';
import { qrImageDataUrl, qrPng } from './qr-image';

/** Reads a 1-bit grayscale, unfiltered PNG: checks its signature and every chunk's CRC. */
function decode(png: Buffer): {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
  isBlack(x: number, y: number): boolean;
} {
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  const chunks: { type: string; data: Buffer }[] = [];
  for (let at = 8; at < png.length;) {
    const length = png.readUInt32BE(at);
    const type = png.toString('ascii', at + 4, at + 8);
    const data = png.subarray(at + 8, at + 8 + length);
    expect(png.readUInt32BE(at + 8 + length)).toBe(crc32(png.subarray(at + 4, at + 8 + length)) >>> 0);
    chunks.push({ type, data });
    at += 12 + length;
  }
  expect(chunks.map((chunk) => chunk.type)).toEqual(['IHDR', 'IDAT', 'IEND']);
  const header = chunks[0].data;
  const width = header.readUInt32BE(0);
  const raw = inflateSync(chunks[1].data);
  const rowBytes = Math.ceil(width / 8) + 1;
  return {
    width,
    height: header.readUInt32BE(4),
    bitDepth: header[8],
    colorType: header[9],
    isBlack: (x, y) => {
      expect(raw[y * rowBytes]).toBe(0); // filter type "none"
      return (raw[y * rowBytes + 1 + (x >> 3)] & (0x80 >> (x & 7))) === 0;
    },
  };
}

describe(qrImageDataUrl.name, () => {
  const payload = 'https://wa.me/settings/linked_devices#2@abc,def,ghi,jkl,1';

  it('returns a PNG data URL whose pixels are the QR modules, 4 px each, inside a 4-module quiet zone', async () => {
    const url = await qrImageDataUrl(payload);
    expect(url).toMatch(/^data:image\/png;base64,[A-Za-z0-9+/]+=*$/);
    const image = decode(Buffer.from(url.slice('data:image/png;base64,'.length), 'base64'));
    const { modules } = create(payload, { errorCorrectionLevel: 'M' });
    expect(image).toMatchObject({
      width: (modules.size + 8) * 4,
      height: (modules.size + 8) * 4,
      bitDepth: 1,
      colorType: 0,
    });
    for (let row = 0; row < modules.size; row++) {
      for (let col = 0; col < modules.size; col++) {
        expect(image.isBlack((col + 4) * 4 + 2, (row + 4) * 4 + 2)).toBe(modules.get(row, col) === 1);
      }
    }
    expect(image.isBlack(0, 0)).toBe(false);
    expect(image.isBlack(4 * 4, 4 * 4)).toBe(true); // the top-left finder pattern's corner
  });

  it('draws different codes for different payloads', () => {
    expect(qrPng(payload).equals(qrPng(`${payload}x`))).toBe(false);
  });
});
