import { crc32, deflateSync } from 'node:zlib';
import { create } from 'qrcode';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** `qrcode`'s own defaults for `toDataURL`: 4 px per module, a 4-module quiet zone. */
const SCALE = 4;
const MARGIN = 4;

/**
 * The QR payload as the seed sends it: a PNG data URL (`data:image/png;base64,…`). The `qrcode`
 * package encodes the symbol; the PNG is written here as 1-bit grayscale with zlib, because
 * `toDataURL`'s RGBA PNG with pngjs' adaptive filters costs ~10 ms of blocked event loop per
 * QR (and far more under Jest), which a worker regenerating a thousand QRs cannot afford.
 */
export function qrImageDataUrl(payload: string): Promise<string> {
  try {
    return Promise.resolve(`data:image/png;base64,${qrPng(payload).toString('base64')}`);
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

/** A black-on-white PNG of the QR code of `payload`. */
export function qrPng(payload: string): Buffer {
  const { modules } = create(payload, { errorCorrectionLevel: 'M' });
  const pixels = (modules.size + 2 * MARGIN) * SCALE;
  const rowBytes = Math.ceil(pixels / 8);
  const raw = Buffer.alloc((rowBytes + 1) * pixels); // each row: filter byte 0, then 1 bit per pixel
  for (let y = 0; y < pixels; y++) {
    const row = y * (rowBytes + 1);
    const moduleY = Math.floor(y / SCALE) - MARGIN;
    for (let x = 0; x < pixels; x++) {
      const moduleX = Math.floor(x / SCALE) - MARGIN;
      const dark =
        moduleX >= 0 &&
        moduleY >= 0 &&
        moduleX < modules.size &&
        moduleY < modules.size &&
        modules.get(moduleY, moduleX) === 1;
      if (!dark) {
        raw[row + 1 + (x >> 3)] |= 0x80 >> (x & 7); // grayscale bit 1 = white
      }
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(pixels, 0);
  header.writeUInt32BE(pixels, 4);
  header.set([1, 0, 0, 0, 0], 8); // bit depth 1, grayscale, deflate, no filter method, no interlace
  return Buffer.concat([
    PNG_SIGNATURE,
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function chunk(type: string, data: Buffer): Buffer {
  const typeAndData = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData) >>> 0);
  return Buffer.concat([length, typeAndData, crc]);
}
