import { Route, Routes } from 'react-router';
import { KeyDetail } from './KeyDetail';
import { KeyList } from './KeyList';

/** Keys: the tenant's keys (`/console/keys`) and one key with its usage and budgets (`/console/keys/:id`). */
export default function KeysPage() {
  return (
    <Routes>
      <Route index element={<KeyList />} />
      <Route path=":id" element={<KeyDetail />} />
    </Routes>
  );
}
