// @vitest-environment jsdom
// The message area: errors stay until dismissed; other messages go by themselves.
import { act, screen } from '@testing-library/react';
import { afterEach, expect, test, vi } from 'vitest';
import { Toasts } from '../../renderer/components/toasts';
import { renderWithStore } from './render';

afterEach(() => {
  vi.useRealTimers();
});

test('info and success messages fade after a few seconds; errors stay until dismissed', () => {
  vi.useFakeTimers();
  const { store } = renderWithStore(<Toasts />);
  act(() => {
    store.getState().notify('success', 'Saved.');
    store.getState().reportError(new Error('disk full'), 'Could not save');
  });
  expect(screen.getByRole('status').textContent).toContain('Saved.');
  expect(screen.getByRole('alert').textContent).toContain('Could not save');
  act(() => vi.advanceTimersByTime(7000));
  expect(screen.queryByRole('status')).toBeNull();
  expect(screen.getByRole('alert').textContent).toContain('disk full');
  act(() => screen.getByRole('button', { name: 'Dismiss: Could not save' }).click());
  expect(screen.queryByRole('alert')).toBeNull();
});
