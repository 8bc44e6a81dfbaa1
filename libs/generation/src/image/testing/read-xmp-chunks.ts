/**
 * Test-side XMP extraction, written independently of the code that embeds it: walks PNG chunks
 * (iTXt "XML:com.adobe.xmp") and WebP RIFF chunks ("XMP " with the VP8X XMP flag) by hand.
 */
import { inflateSync } from 'node:zlib';

export function xmpFromPng(png: Buffer): { xmp: string; chunk: string; beforeIdat: boolean } | null {
  let offset = 8;
  let seenIdat = false;
  while (offset + 8 <= png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.toString('latin1', offset + 4, offset + 8);
    const data = png.subarray(offset + 8, offset + 8 + length);
    if (type === 'IDAT') seenIdat = true;
    if (type === 'iTXt') {
      const keywordEnd = data.indexOf(0);
      const keyword = data.toString('latin1', 0, keywordEnd);
      const compressed = data[keywordEnd + 1] === 1;
      const langEnd = data.indexOf(0, keywordEnd + 3);
      const translatedEnd = data.indexOf(0, langEnd + 1);
      const text = data.subarray(translatedEnd + 1);
      if (keyword === 'XML:com.adobe.xmp') {
        return { xmp: (compressed ? inflateSync(text) : text).toString('utf8'), chunk: 'iTXt', beforeIdat: !seenIdat };
      }
    }
    offset += 12 + length;
  }
  return null;
}

export function xmpFromWebp(webp: Buffer): { xmp: string; vp8xFlag: boolean } | null {
  if (webp.toString('latin1', 0, 4) !== 'RIFF' || webp.toString('latin1', 8, 12) !== 'WEBP') return null;
  let offset = 12;
  let flag = false;
  while (offset + 8 <= webp.length) {
    const type = webp.toString('latin1', offset, offset + 4);
    const length = webp.readUInt32LE(offset + 4);
    const data = webp.subarray(offset + 8, offset + 8 + length);
    if (type === 'VP8X') flag = (data[0] & 0x04) !== 0;
    if (type === 'XMP ') return { xmp: data.toString('utf8'), vp8xFlag: flag };
    offset += 8 + length + (length & 1);
  }
  return null;
}

/** The DigitalSourceType value, as attribute or element. */
export function digitalSourceType(xmp: string): string | null {
  const m = /Iptc4xmpExt:DigitalSourceType(?:="([^"]+)"|>([^<]+)<)/.exec(xmp);
  return m ? (m[1] ?? m[2]) : null;
}
