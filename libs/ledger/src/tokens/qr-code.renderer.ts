import { Injectable } from '@nestjs/common';
import { QRCodeToBufferOptions, toBuffer } from 'qrcode';

/**
 * Scale 5: 165 px for a 32-character token (clients enlarge it with CSS). The renderer options
 * go to pngjs: grayscale with PNG's "Up" filter. A QR image repeats each row `scale` times, so
 * this gives the smallest file (~1.1 kB) about twice as fast as letting the encoder try every
 * filter per row, which was most of a token creation's CPU.
 */
const PNG_RENDERER = { filterType: 2, colorType: 0, deflateLevel: 9 };
const OPTIONS: QRCodeToBufferOptions = {
  errorCorrectionLevel: 'M',
  margin: 2,
  scale: 5,
  type: 'png',
  rendererOpts: PNG_RENDERER,
};

/** The QR image a vendor scans: a PNG data URL encoding the token string and nothing else. */
@Injectable()
export class QrCodeRenderer {
  async render(token: string): Promise<string> {
    return `data:image/png;base64,${(await toBuffer(token, OPTIONS)).toString('base64')}`;
  }
}
