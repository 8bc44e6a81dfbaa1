import { useState } from 'react';

/** Copies text to the clipboard and says so, for sighted and screen-reader users alike. */
export function CopyButton({ text, label = 'Copy', className = 'secondary' }: { text: string; label?: string; className?: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setState('copied');
    } catch {
      setState('failed');
    }
    setTimeout(() => setState('idle'), 2500);
  };
  return (
    <>
      <button type="button" className={className} onClick={copy}>
        {label}
      </button>
      <span role="status" className="copy-status">
        {state === 'copied' ? 'Copied' : state === 'failed' ? 'Copy failed: select the text and press Ctrl+C' : ''}
      </span>
    </>
  );
}
