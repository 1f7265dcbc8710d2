import { Route, Routes } from 'react-router';
import { RunDetail } from './RunDetail';
import { RunList } from './RunList';

/** Runs: the tenant's agent runs (`/console/runs`) and one run's timeline, live while it moves (`/console/runs/:id`). */
export default function RunsPage() {
  return (
    <Routes>
      <Route index element={<RunList />} />
      <Route path=":id" element={<RunDetail />} />
    </Routes>
  );
}
