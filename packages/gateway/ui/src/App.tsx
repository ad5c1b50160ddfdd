/** The pages by path under /ui/, inside the frame; the token dialog over them after a 401. */
import { useEffect } from 'react';
import { Layout } from './components/Layout.tsx';
import { TokenDialog } from './components/TokenDialog.tsx';
import { useAuth } from './hooks.ts';
import { ExecutionPage } from './pages/ExecutionPage.tsx';
import { ExecutionsPage } from './pages/ExecutionsPage.tsx';
import { HumanTasksPage } from './pages/HumanTasksPage.tsx';
import { InsightsPage } from './pages/InsightsPage.tsx';
import { SchedulesPage } from './pages/SchedulesPage.tsx';
import { SquadsPage } from './pages/SquadsPage.tsx';
import { WorkflowsPage } from './pages/WorkflowsPage.tsx';
import { segments, useLocation } from './router.ts';

function Page({ parts, search }: { parts: string[]; search: URLSearchParams }) {
  const [section = 'executions', name] = parts;
  switch (section) {
    case 'executions':
      return name ? <ExecutionPage key={name} id={name} /> : <ExecutionsPage search={search} />;
    case 'workflows':
      return <WorkflowsPage name={name} search={search} />;
    case 'schedules':
      return <SchedulesPage />;
    case 'squads':
      return <SquadsPage />;
    case 'human-tasks':
      return <HumanTasksPage search={search} />;
    case 'insights':
      return <InsightsPage key={name} name={name} />;
    default:
      return <div className="error-box">no page {section}</div>;
  }
}

export function App() {
  const { path, search } = useLocation();
  const { needed } = useAuth();
  const parts = segments(path);
  const title = ['squadflow', ...parts.slice(0, 2)].join(' · ');
  useEffect(() => {
    document.title = title;
  }, [title]);
  return (
    <>
      <Layout section={parts[0] ?? 'executions'}>
        <Page parts={parts} search={search} />
      </Layout>
      {needed && <TokenDialog />}
    </>
  );
}
