import type { ReactNode } from 'react';

/**
 * A table that may scroll sideways on a phone: a named region that takes focus, so a keyboard
 * can scroll it with the arrow keys and a screen reader says what it holds (WCAG 2.1.1, 1.3.1).
 */
export function TableRegion({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="table-wrap" role="region" aria-label={label} tabIndex={0}>
      {children}
    </div>
  );
}
