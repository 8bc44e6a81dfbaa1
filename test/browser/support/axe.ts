import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { PHONE } from './browser';

/** The success criteria the dashboard is held to: WCAG 2.0, 2.1 and 2.2, levels A and AA. */
export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

/**
 * Runs axe-core (the npm package, evaluated in the page: the dashboard's CSP would refuse an
 * injected <script>) on the page as it is now, in the light and the dark theme, at the page's
 * own width and at 390 px, and throws one error listing every WCAG A/AA violation found. The
 * page is left in the theme and size it had.
 */
export async function expectAccessible(page: Page, state: string): Promise<void> {
  const viewport = page.viewportSize();
  const widths = viewport && viewport.width !== PHONE.width ? [viewport, PHONE] : [viewport ?? PHONE];
  const found: string[] = [];
  try {
    for (const size of widths) {
      await page.setViewportSize(size);
      for (const colorScheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme });
        for (const v of await runAxe(page)) {
          const where = v.nodes.map((n) => `    ${n.target.join(' ')}: ${n.failureSummary?.split('\n').slice(1).join(' ').trim() ?? ''}`);
          found.push(`  [${colorScheme}, ${size.width}px] ${v.id} (${v.impact}): ${v.help}\n${where.join('\n')}`);
        }
      }
    }
  } finally {
    if (viewport) await page.setViewportSize(viewport);
    await page.emulateMedia({ colorScheme: 'light' });
  }
  if (found.length) throw new Error(`axe found WCAG violations on "${state}":\n${found.join('\n')}`);
}

async function runAxe(page: Page): Promise<AxeViolation[]> {
  if (!(await page.evaluate('typeof window.axe === "object"'))) await page.evaluate(AXE_SOURCE);
  // Two frames so a theme or size change has been laid out and painted before it is measured.
  await page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');
  return page.evaluate(
    `window.axe.run(document, { runOnly: { type: 'tag', values: ${JSON.stringify(WCAG_TAGS)} }, resultTypes: ['violations'] }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })) })))`,
  );
}

/**
 * WCAG 1.4.11, which axe does not measure: every visible text input, select and textarea has a
 * border of 3:1 or more against the background behind it, and the focus ring of `focusable` is
 * 3:1 or more against the page, in the light and the dark theme. Returns what fell short.
 */
export async function nonTextContrastProblems(page: Page, focusable: string): Promise<string[]> {
  const problems: string[] = [];
  try {
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme });
      await page.locator(focusable).first().focus();
      for (const p of await page.evaluate<string[]>(`(${MEASURE})(${JSON.stringify(focusable)})`)) problems.push(`[${colorScheme}] ${p}`);
    }
  } finally {
    await page.emulateMedia({ colorScheme: 'light' });
  }
  return problems;
}

/** Runs in the page, as a string (the root tsconfig has no DOM types): what falls short of 3:1. */
const MEASURE = `(focusable) => {
  const rgb = (css) => {
    const m = css.match(/rgba?\\(([\\d.]+),\\s*([\\d.]+),\\s*([\\d.]+)(?:,\\s*([\\d.]+))?\\)/);
    return m && (m[4] === undefined || Number(m[4]) > 0) ? [Number(m[1]), Number(m[2]), Number(m[3])] : null;
  };
  const luminance = (c) => {
    const [r, g, b] = c.map((v) => {
      const s = v / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const ratio = (a, b) => {
    const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
    return (x + 0.05) / (y + 0.05);
  };
  const background = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c) return c;
    }
    return [255, 255, 255];
  };
  const problems = [];
  const controls = [...document.querySelectorAll('input:not([type=checkbox]):not([type=radio]):not([type=color]):not([type=file]), select, textarea')];
  const visible = controls.filter((el) => el.offsetParent !== null);
  if (visible.length === 0) problems.push('no form control on the page to measure');
  for (const el of visible) {
    const style = getComputedStyle(el);
    const border = rgb(style.borderTopColor);
    const behind = background(el.parentElement);
    const r = border ? ratio(border, behind) : 0;
    if (r < 3) problems.push(el.tagName.toLowerCase() + '#' + el.id + ' border ' + style.borderTopColor + ' on rgb(' + behind + ') is ' + r.toFixed(2) + ':1');
  }
  const focused = document.querySelector(focusable);
  if (!focused || document.activeElement !== focused) problems.push(focusable + ' did not take focus');
  else {
    const style = getComputedStyle(focused);
    const ring = rgb(style.outlineColor);
    const behind = background(focused.parentElement);
    const r = ring && style.outlineStyle !== 'none' ? ratio(ring, behind) : 0;
    if (r < 3) problems.push('focus ring of ' + focusable + ' (' + style.outlineStyle + ' ' + style.outlineColor + ') on rgb(' + behind + ') is ' + r.toFixed(2) + ':1');
  }
  return problems;
}`;
