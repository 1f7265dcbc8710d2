import { Route, Routes } from 'react-router';
import { AgentCreate } from './AgentCreate';
import { AgentDetail } from './AgentDetail';
import { AgentList } from './AgentList';

/**
 * Agents: the tenant's agents (`/console/agents`), a new one (`/console/agents/new`), and one agent with its
 * versions, their diff, its editor (form or YAML), activation and a test run (`/console/agents/:name`).
 */
export default function AgentsPage() {
  return (
    <Routes>
      <Route index element={<AgentList />} />
      <Route path="new" element={<AgentCreate />} />
      <Route path=":name" element={<AgentDetail />} />
    </Routes>
  );
}
