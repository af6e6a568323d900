// Renders UI with a store talking to a FakeClient, as the app does with the real one.
import { cleanup, render, type RenderResult } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { ReactElement } from 'react';
import { afterEach } from 'vitest';
import { connectEvents, createAppStore, StoreProvider, type AppStore } from '../../renderer/store';
import type { Store } from '../../renderer/store';
import { FakeClient, type Handlers } from './fake-client';

afterEach(cleanup);

export interface Rendered extends RenderResult {
  client: FakeClient;
  store: AppStore;
  user: ReturnType<typeof userEvent.setup>;
}

export function renderWithStore(ui: ReactElement, handlers: Handlers = {}, state: Partial<Store> = {}): Rendered {
  const client = new FakeClient(handlers);
  const store = createAppStore(client);
  store.setState(state);
  connectEvents(store, client);
  const user = userEvent.setup();
  const result = render(<StoreProvider store={store}>{ui}</StoreProvider>);
  return { ...result, client, store, user };
}

/** The text of the elements an element's aria-describedby points at (its help and its error). */
export function description(element: Element): string {
  const ids = element.getAttribute('aria-describedby')?.split(/\s+/).filter(Boolean) ?? [];
  return ids.map((id) => document.getElementById(id)?.textContent ?? '').join(' ');
}

export function isInvalid(element: Element): boolean {
  return element.getAttribute('aria-invalid') === 'true';
}
