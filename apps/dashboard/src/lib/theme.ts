import { useEffect, useState } from 'react';

export type Theme = 'light' | 'dark';

const KEY = 'brandwright.theme';
const darkQuery = () => window.matchMedia('(prefers-color-scheme: dark)');

/** The theme someone chose with the toggle, or null to follow the system (prefers-color-scheme). */
export function chosenTheme(): Theme | null {
  try {
    const value = localStorage.getItem(KEY);
    return value === 'light' || value === 'dark' ? value : null;
  } catch {
    return null;
  }
}

/** Sets <html data-theme>, which styles.css prefers over the system setting; null removes it. */
export function applyTheme(theme: Theme | null): void {
  if (theme) document.documentElement.dataset.theme = theme;
  else delete document.documentElement.dataset.theme;
}

/** The theme in effect and a setter that remembers the choice on this device. */
export function useTheme(): [Theme, (theme: Theme) => void] {
  const [chosen, setChosen] = useState(chosenTheme);
  const [systemDark, setSystemDark] = useState(() => darkQuery().matches);
  useEffect(() => {
    const query = darkQuery();
    const update = () => setSystemDark(query.matches);
    query.addEventListener('change', update);
    return () => query.removeEventListener('change', update);
  }, []);
  const choose = (theme: Theme) => {
    try {
      localStorage.setItem(KEY, theme);
    } catch {
      /* private mode: the choice lasts for this page only */
    }
    applyTheme(theme);
    setChosen(theme);
  };
  return [chosen ?? (systemDark ? 'dark' : 'light'), choose];
}
