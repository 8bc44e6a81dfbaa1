import type { FormEvent } from 'react';

/**
 * The button that submitted a form. It is disabled while the request runs, which drops focus
 * to <body>; call the returned function afterwards to put focus back if nothing else took it.
 * It tries again for a few frames: the button is enabled only once React has re-rendered.
 */
export function keepSubmitterFocus(event: FormEvent): () => void {
  const submitter = (event.nativeEvent as SubmitEvent).submitter as HTMLElement | null;
  const attempt = (framesLeft: number) => {
    if (!submitter || (document.activeElement && document.activeElement !== document.body)) return;
    submitter.focus();
    if (document.activeElement !== submitter && framesLeft > 0) requestAnimationFrame(() => attempt(framesLeft - 1));
  };
  return () => attempt(30);
}
