import { useEffect, useRef } from 'react';

/**
 * On every route change: names the tab after the page's h1 ("Northwind Coffee · Brandwright") and
 * moves focus to that h1, so a screen reader announces the new page and Tab continues from its
 * top. A page that loads its data first gets both once its h1 appears. The first page of a visit
 * keeps the browser's own focus start.
 */
export function usePageFocus(path: string | null): void {
  const firstPage = useRef(true);
  useEffect(() => {
    if (!path) return; // the app is still starting
    const moveFocus = !firstPage.current;
    firstPage.current = false;
    return whenHeadingAppears((h1) => {
      document.title = `${h1.textContent?.trim() || 'Brandwright'} · Brandwright`;
      if (!moveFocus) return;
      h1.tabIndex = -1;
      h1.focus();
    });
  }, [path]);
}

function whenHeadingAppears(then: (h1: HTMLElement) => void): () => void {
  const find = () => document.querySelector<HTMLElement>('main h1');
  const now = find();
  if (now) {
    then(now);
    return () => undefined;
  }
  const observer = new MutationObserver(() => {
    const h1 = find();
    if (!h1) return;
    observer.disconnect();
    then(h1);
  });
  observer.observe(document.body, { childList: true, subtree: true });
  return () => observer.disconnect();
}
