/** The frame: the left navigation, the auth state, and the page. */
import type { ReactNode } from 'react';
import { auth } from '../api/auth.ts';
import { useAuth } from '../hooks.ts';
import { Link } from './Link.tsx';

const PAGES = [
  { to: '/executions', label: 'Executions', section: 'executions' },
  { to: '/workflows', label: 'Workflows', section: 'workflows' },
  { to: '/schedules', label: 'Schedules', section: 'schedules' },
  { to: '/squads', label: 'Squads', section: 'squads' },
  { to: '/human-tasks', label: 'Human tasks', section: 'human-tasks' },
  { to: '/insights', label: 'Insights', section: 'insights' },
];

export function Layout({ section, children }: { section: string; children: ReactNode }) {
  const { token, readOnly } = useAuth();
  return (
    <div className="shell">
      <nav className="nav">
        <div className="brand">squadflow</div>
        {PAGES.map((page) => (
          <Link key={page.to} to={page.to} className={page.section === section ? 'active' : ''}>
            {page.label}
          </Link>
        ))}
        <div className="nav-footer">
          {readOnly && <div className="hint">token lacks the admin scope: actions are disabled</div>}
          {token ? (
            <button className="link" onClick={() => auth.setToken(null)}>
              forget token
            </button>
          ) : (
            <span className="muted">no token</span>
          )}
        </div>
      </nav>
      <main className="main">{children}</main>
    </div>
  );
}
