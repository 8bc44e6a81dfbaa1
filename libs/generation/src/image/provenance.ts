/**
 * Provenance: every picture Brandwright makes says it is AI-generated, in the form ad platforms
 * (Meta, Google, LinkedIn) read — the IPTC DigitalSourceType "trainedAlgorithmicMedia" inside the
 * file's XMP packet — and carries a record of how it was made.
 *
 * PNG: sharp's `withXmp` writes a compressed zTXt chunk, but the XMP spec (part 3) and the readers
 * platforms use expect an uncompressed iTXt chunk keyed "XML:com.adobe.xmp", so the PNG chunk is
 * written here. WebP: sharp writes the RIFF "XMP " chunk and sets the VP8X XMP flag correctly.
 */
import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';

export const TRAINED_ALGORITHMIC_MEDIA = 'http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia';
export const XMP_PNG_KEYWORD = 'XML:com.adobe.xmp';

export interface ProvenanceRecord {
  digitalSourceType: typeof TRAINED_ALGORITHMIC_MEDIA;
  generator: 'brandwright';
  modelId: string;
  modelVersion: string;
  scheduler: string;
  steps: number;
  guidance: number;
  seed: number;
  /** Size of the generated picture (before cropping into formats). */
  width: number;
  height: number;
  /** SHA-256 of the prompt, so the record can be matched to a prompt without storing it. */
  promptSha256: string;
  negativePromptSha256: string | null;
  createdAt: string;
}

/** How the picture was made (as the record keeps it), plus the prompts the record hashes. */
export type ProvenanceInput = Pick<
  ProvenanceRecord,
  'modelId' | 'modelVersion' | 'scheduler' | 'steps' | 'guidance' | 'seed' | 'width' | 'height'
> & {
  prompt: string;
  negativePrompt?: string | null;
  createdAt?: Date;
};

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export function provenanceRecord(input: ProvenanceInput): ProvenanceRecord {
  return {
    digitalSourceType: TRAINED_ALGORITHMIC_MEDIA,
    generator: 'brandwright',
    modelId: input.modelId,
    modelVersion: input.modelVersion,
    scheduler: input.scheduler,
    steps: input.steps,
    guidance: input.guidance,
    seed: input.seed,
    width: input.width,
    height: input.height,
    promptSha256: sha256Hex(input.prompt),
    negativePromptSha256: input.negativePrompt ? sha256Hex(input.negativePrompt) : null,
    createdAt: (input.createdAt ?? new Date()).toISOString(),
  };
}

function escapeXml(value: string): string {
  return value.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** An XMP packet with the IPTC source type plus the record under Brandwright's own namespace. */
export function xmpPacket(record: ProvenanceRecord): string {
  const bw: Array<[string, string | number]> = [
    ['Model', record.modelId],
    ['ModelVersion', record.modelVersion],
    ['Scheduler', record.scheduler],
    ['Steps', record.steps],
    ['Guidance', record.guidance],
    ['Seed', record.seed],
    ['PromptSHA256', record.promptSha256],
  ];
  const attrs = [
    `Iptc4xmpExt:DigitalSourceType="${escapeXml(record.digitalSourceType)}"`,
    `xmp:CreatorTool="${escapeXml(`Brandwright (${record.modelId})`)}"`,
    `xmp:CreateDate="${escapeXml(record.createdAt)}"`,
    ...bw.map(([k, v]) => `bw:${k}="${escapeXml(String(v))}"`),
  ];
  return (
    '<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?>\n' +
    '<x:xmpmeta xmlns:x="adobe:ns:meta/">\n' +
    ' <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n' +
    '  <rdf:Description rdf:about=""\n' +
    '    xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/"\n' +
    '    xmlns:xmp="http://ns.adobe.com/xap/1.0/"\n' +
    '    xmlns:bw="https://brandwright.dev/ns/provenance/1.0/"\n' +
    `    ${attrs.join('\n    ')}/>\n` +
    ' </rdf:RDF>\n' +
    '</x:xmpmeta>\n' +
    '<?xpacket end="w"?>'
  );
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function pngChunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(data, crc32(head.subarray(4))) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

function isXmpTextChunk(type: string, data: Buffer): boolean {
  if (type !== 'iTXt' && type !== 'zTXt' && type !== 'tEXt') return false;
  const end = data.indexOf(0);
  return end >= 0 && data.toString('latin1', 0, end) === XMP_PNG_KEYWORD;
}

/**
 * Returns the PNG with its XMP replaced by `xmp`, as an uncompressed iTXt chunk right after IHDR
 * (XMP readers stop at the first IDAT, so it must come before the image data).
 */
export function embedXmpInPng(png: Buffer, xmp: string): Buffer {
  if (png.length < 8 || !png.subarray(0, 8).equals(PNG_SIGNATURE)) throw new Error('not a PNG file');
  // iTXt: keyword \0 compression-flag(0) compression-method(0) language-tag \0 translated-keyword \0 text
  const itxt = pngChunk(
    'iTXt',
    Buffer.concat([Buffer.from(XMP_PNG_KEYWORD, 'latin1'), Buffer.from([0, 0, 0, 0, 0]), Buffer.from(xmp, 'utf8')]),
  );
  const parts: Buffer[] = [PNG_SIGNATURE];
  let offset = 8;
  while (offset < png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.toString('latin1', offset + 4, offset + 8);
    const whole = png.subarray(offset, offset + 12 + length);
    offset += 12 + length;
    if (isXmpTextChunk(type, whole.subarray(8, 8 + length))) continue;
    parts.push(whole);
    if (type === 'IHDR') parts.push(itxt);
  }
  return Buffer.concat(parts);
}
