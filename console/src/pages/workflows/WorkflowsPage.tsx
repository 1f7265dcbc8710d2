import i18next from 'i18next';
import { Route, Routes } from 'react-router';
import en from '../../locales/en/workflows.json';
import zh from '../../locales/zh/workflows.json';
import './workflows.css';
import { WorkflowDetail } from './WorkflowDetail';
import { WorkflowList } from './WorkflowList';
import { WorkflowRunView } from './WorkflowRunView';

// This page's messages travel in its own chunk (the entry carries the other pages'), so they cost the first visit nothing.
i18next.addResourceBundle('en', 'workflows', en, true, true);
i18next.addResourceBundle('zh', 'workflows', zh, true, true);

/**
 * Workflows: the tenant's workflows (`/console/workflows`), one drawn as a graph with its versions, their diff
 * and its runs (`/console/workflows/:name`), and one run on the graph, step by step (`/console/workflows/:name/runs/:id`).
 */
export default function WorkflowsPage() {
  return (
    <Routes>
      <Route index element={<WorkflowList />} />
      <Route path=":name" element={<WorkflowDetail />} />
      <Route path=":name/runs/:id" element={<WorkflowRunView />} />
    </Routes>
  );
}
