// @vitest-environment jsdom
// The Activity view: running mappings first, then queued ones, then the rest in the board's order; a
// scheduled mapping says when it runs next.
import { screen } from '@testing-library/react';
import { describe, expect, test } from 'vitest';
import { ActivityView } from '../../renderer/views/activity-view';
import { mapping, progress, run, status } from './fixtures';
import { renderWithStore } from './render';

describe('activity view', () => {
  test('lists running mappings first, then queued, then the rest as on the board', () => {
    const mappings = [
      mapping('a', { name: 'Alpha' }),
      mapping('b', { name: 'Beta', status: status('b', { state: 'queued' }) }),
      mapping('c', { name: 'Gamma' }),
      mapping('d', { name: 'Delta', status: status('d', { state: 'running' }) }),
    ];
    renderWithStore(<ActivityView />, {}, { mappings, mappingsLoad: 'ready', progress: { c: progress('c') } });
    expect(screen.getAllByRole('article').map((a) => a.getAttribute('aria-label'))).toEqual(['Gamma', 'Delta', 'Beta', 'Alpha']);
  });

  test('a scheduled mapping says when it runs next; one without a schedule does not', () => {
    const soon = Date.now() + 5 * 60_000 + 30_000;
    const mappings = [
      mapping('a', { name: 'Hourly', intervalSeconds: 3600, status: status('a', { nextRunAt: soon, lastRun: run(1, 'a') }) }),
      mapping('b', { name: 'Never ran', intervalSeconds: 600, status: status('b', { nextRunAt: soon }) }),
      mapping('c', { name: 'Manual', status: status('c', { lastRun: run(2, 'c') }) }),
    ];
    renderWithStore(<ActivityView />, {}, { mappings, mappingsLoad: 'ready' });
    expect(screen.getByRole('article', { name: 'Hourly' }).textContent).toMatch(/next run in 5 minutes/);
    expect(screen.getByRole('article', { name: 'Never ran' }).textContent).toMatch(/Never run\. · next run in 5 minutes/);
    expect(screen.getByRole('article', { name: 'Manual' }).textContent).not.toMatch(/next run/);
  });
});
