import { MessageOutlined } from '@ant-design/icons';
import type { AppRoute } from '../../app/route-types.ts';
import { ConversationSearchPage } from './conversation-search-page.tsx';

/** This feature's screens in the console (merged into app/routes.tsx). */
export const routes: AppRoute[] = [
  {
    path: '/conversations', title: 'conv.menu', roles: ['admin', 'supervisor', 'inspector', 'analyst'],
    render: () => <ConversationSearchPage />, menu: { key: '/conversations', icon: <MessageOutlined /> },
  },
];
