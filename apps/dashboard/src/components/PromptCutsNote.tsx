/** What the prompt left out so it fit the model's context, from the variant's voice report. */
export function PromptCutsNote({
  report,
}: {
  report: { examplesDropped?: ReadonlyArray<string> | null; voiceLinesShortened?: ReadonlyArray<string> | null };
}) {
  const dropped = report.examplesDropped ?? [];
  const shortened = report.voiceLinesShortened ?? [];
  if (dropped.length === 0 && shortened.length === 0) return null;
  const parts = [
    dropped.length ? `${dropped.length} example${dropped.length === 1 ? '' : 's'} (longest first)` : '',
    shortened.length ? `shorter voice lines (${shortened.map((s) => s.replace('_', ' ')).join(', ')})` : '',
  ].filter(Boolean);
  return (
    <p className="muted prompt-cuts">
      To fit the model, the prompt left out {parts.join(' and ')}.
      {dropped.length > 0 && <span className="visually-hidden"> Left out: {dropped.map((e) => `“${e}”`).join(', ')}</span>}
    </p>
  );
}
