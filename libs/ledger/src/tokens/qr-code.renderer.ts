import { crc32, deflateSync } from 'node:zlib';
import { Injectable } from '@nestjs/common';
import { create } from 'qrcode';

/** 5 px per module and a 2-module margin: 165 px for a 32-character token (clients enlarge it with CSS). */
export const QR_SCALE = 5;
export const QR_MARGIN = 2;
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * The QR image a vendor scans: a PNG data URL encoding the token string and nothing else. The
 * `qrcode` package places the modules; the PNG is written here, 1 bit per pixel (~0.5 kB), because
 * its own PNG path (RGBA pixels through pngjs) cost about three times the whole rest of a token
 * creation's CPU. The token is one byte-mode segment: base64url has no run that another mode would
 * encode shorter, so the encoder's search for a cheaper mix of modes is skipped.
 */
@Injectable()
export class QrCodeRenderer {
  dataUrl(token: string): string {
    return `data:image/png;base64,${qrPng(token).toString('base64')}`;
  }
}

/** Black modules on white, grayscale at bit depth 1 (bit 1 = white), every row unfiltered. */
export function qrPng(token: string): Buffer {
  const { modules } = create([{ data: Buffer.from(token, 'latin1'), mode: 'byte' }], { errorCorrectionLevel: 'M' });
  const pixels = (modules.size + 2 * QR_MARGIN) * QR_SCALE;
  const stride = 1 + Math.ceil(pixels / 8); // the filter byte (0: none), then the row's bits
  const raw = Buffer.alloc(stride * pixels, 0xff);
  for (let row = 0; row < modules.size; row++) {
    // Draw the first pixel row of this module row, then copy it: each module is SCALE rows tall.
    const top = (row + QR_MARGIN) * QR_SCALE * stride;
    for (let column = 0; column < modules.size; column++) {
      if (modules.get(row, column) === 1) {
        const x0 = (column + QR_MARGIN) * QR_SCALE;
        for (let x = x0; x < x0 + QR_SCALE; x++) {
          raw[top + 1 + (x >> 3)] &= ~(0x80 >> (x & 7));
        }
      }
    }
    for (let copy = 1; copy < QR_SCALE; copy++) {
      raw.copy(raw, top + copy * stride, top, top + stride);
    }
  }
  for (let y = 0; y < pixels; y++) {
    raw[y * stride] = 0;
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(pixels, 0);
  header.writeUInt32BE(pixels, 4);
  header.set([1, 0, 0, 0, 0], 8); // bit depth 1, grayscale, deflate, adaptive filtering, no interlace
  return Buffer.concat([
    PNG_SIGNATURE,
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function chunk(type: string, data: Buffer): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)) >>> 0, 8 + data.length);
  return out;
}
