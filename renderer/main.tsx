// React Refresh's set-up as a module: the CSP below forbids the inline script Vite's dev server
// would add for it. Empty in a production build.
import '@vitejs/plugin-react/preamble';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { api } from './api';
import { App } from './app';
import { connectEvents, createAppStore, StoreProvider } from './store';
import './styles/theme.css';
import './styles/layout.css';
import './styles/components.css';
import './styles/views.css';

const store = createAppStore(api);
connectEvents(store, api);
void store.getState().initialize();
void store.getState().loadEngines();

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <StoreProvider store={store}>
      <App />
    </StoreProvider>
  </StrictMode>,
);
