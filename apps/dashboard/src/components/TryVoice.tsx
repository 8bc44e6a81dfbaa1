/** “Try this voice”: filled in when the generation API lands. */
export function TryVoice(_props: { brandId: string }) {
  return null;
}
