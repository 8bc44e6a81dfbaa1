/** A generated picture as a PNG carrying its AI-generated marking and provenance. */
import sharp from 'sharp';
import type { GeneratedPicture } from './generation-request';
import { embedXmpInPng, provenanceRecord, xmpPacket, type ProvenanceRecord } from './provenance';

export async function pictureToPng(
  picture: GeneratedPicture,
  prompt: { prompt: string; negativePrompt?: string | null },
): Promise<{ png: Buffer; provenance: ProvenanceRecord }> {
  const provenance = provenanceRecord({ ...picture, ...prompt });
  const png = await sharp(Buffer.from(picture.rgb.buffer, picture.rgb.byteOffset, picture.rgb.byteLength), {
    raw: { width: picture.width, height: picture.height, channels: 3 },
  })
    .png()
    .toBuffer();
  return { png: embedXmpInPng(png, xmpPacket(provenance)), provenance };
}
