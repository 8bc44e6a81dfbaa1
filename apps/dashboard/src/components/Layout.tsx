import { useEffect, useRef, useState, type ReactNode } from 'react';
import { useMutation } from 'urql';
import { LogOutDocument } from '../graphql/generated';
import { Link, navigate } from '../lib/router';
import { sessionStore } from '../lib/session';
import { useSession } from '../lib/use-session';
import { useTheme } from '../lib/theme';
import { WorkspaceSwitcher } from './WorkspaceSwitcher';

const NAV = [
  { href: '/brands', label: 'Brands' },
  { href: '/campaigns', label: 'Campaigns' },
  { href: '/usage', label: 'Usage & billing' },
  { href: '/team', label: 'Team' },
  { href: '/developers', label: 'Developers' },
];

export function Layout({ children }: { children: ReactNode }) {
  const session = useSession();
  const [, logOut] = useMutation(LogOutDocument);
  const [menuOpen, setMenuOpen] = useState(false);
  const [theme, setTheme] = useTheme();
  const menuButton = useRef<HTMLButtonElement>(null);

  // Escape closes the phone menu and returns focus to its button.
  useEffect(() => {
    if (!menuOpen) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== 'Escape') return;
      setMenuOpen(false);
      menuButton.current?.focus();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [menuOpen]);

  const signOut = async () => {
    await logOut({});
    sessionStore.set(null);
    navigate('/login', true);
  };

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link href="/brands" className="logo" aria-label="Brandwright home">
          Brandwright
        </Link>
        <button
          ref={menuButton}
          type="button"
          className="menu-toggle"
          aria-expanded={menuOpen}
          aria-controls="primary-nav"
          onClick={() => setMenuOpen((open) => !open)}
        >
          Menu
        </button>
        <div className="topbar-right">
          <WorkspaceSwitcher />
          <button
            type="button"
            className="secondary theme-toggle"
            aria-pressed={theme === 'dark'}
            onClick={() => setTheme(theme === 'dark' ? 'light' : 'dark')}
          >
            Dark theme
          </button>
          <span className="who" title={session?.user.email}>
            {session?.user.name}
          </span>
          <button type="button" className="secondary" onClick={signOut}>
            Log out
          </button>
        </div>
      </header>
      <nav id="primary-nav" className={menuOpen ? 'nav open' : 'nav'} aria-label="Main">
        <ul>
          {NAV.map((item) => (
            <li key={item.href}>
              <Link href={item.href} onClick={() => setMenuOpen(false)}>
                {item.label}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}
