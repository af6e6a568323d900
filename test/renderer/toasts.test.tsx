// @vitest-environment jsdom
// The message area: messages go by themselves, errors after longer; nothing goes while the pointer is
// on a close button or the focus is in the area.
import { act, fireEvent, screen } from '@testing-library/react';
import { afterEach, expect, test, vi } from 'vitest';
import { AUTO_DISMISS_MS, Toasts } from '../../renderer/components/toasts';
import { renderWithStore } from './render';

afterEach(() => {
  vi.useRealTimers();
});

test('info and success messages fade after a few seconds, errors after longer; or dismissed at once', () => {
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
  act(() => vi.advanceTimersByTime(AUTO_DISMISS_MS.error));
  expect(screen.queryByRole('alert')).toBeNull();
  act(() => store.getState().reportError(new Error('offline'), 'Could not load'));
  act(() => screen.getByRole('button', { name: 'Dismiss: Could not load' }).click());
  expect(screen.queryByRole('alert')).toBeNull();
});

test('nothing fades while the pointer is on a close button or the focus is in the message area', () => {
  vi.useFakeTimers();
  const { store } = renderWithStore(<Toasts />);
  act(() => store.getState().reportError(new Error('disk full'), 'Could not save'));
  const close = screen.getByRole('button', { name: 'Dismiss: Could not save' });
  fireEvent.pointerOver(close);
  act(() => vi.advanceTimersByTime(AUTO_DISMISS_MS.error * 2));
  expect(screen.getByRole('alert').textContent).toContain('disk full');
  fireEvent.pointerOut(close);
  act(() => screen.getByRole('button', { name: 'Dismiss: Could not save' }).focus());
  act(() => vi.advanceTimersByTime(AUTO_DISMISS_MS.error * 2));
  expect(screen.getByRole('alert').textContent).toContain('disk full');
  act(() => screen.getByRole('button', { name: 'Dismiss: Could not save' }).blur());
  act(() => vi.advanceTimersByTime(AUTO_DISMISS_MS.error));
  expect(screen.queryByRole('alert')).toBeNull();
});
