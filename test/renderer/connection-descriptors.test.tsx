// @vitest-environment jsdom
// The connection form is drawn from the provider descriptors: every field of every descriptor is
// rendered with its label, help and kind; a saved connection's settings come back unchanged; the
// rules between settings are the descriptor's, named by the form's labels.
import { screen, within } from '@testing-library/react';
import { describe, expect, test, vi } from 'vitest';
import type { ConnectionView } from '../../shared/contract';
import { connectionSettings, DESCRIPTORS, fieldsOf, type ConnectionSettings } from '../../shared/providers';
import { ConnectionForm } from '../../renderer/views/connection-form';
import { connectionToForm, formToConnectionInput } from '../../renderer/views/connection-fields';
import { description, renderWithStore } from './render';

const label = (text: string) => new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`);

describe.each(DESCRIPTORS.map((d) => [d.type, d] as const))('the %s connection form', (type, d) => {
  test('shows every field of the descriptor with its label, help and kind', () => {
    renderWithStore(<ConnectionForm connection={null} initialType={type} onDone={vi.fn()} />);
    expect(screen.getByRole('heading', { name: `Add ${d.label} connection` })).toBeTruthy();
    for (const f of fieldsOf(type)) {
      const control = screen.getByLabelText(label(f.label));
      expect(description(control), f.key).toContain(f.help);
      if (f.kind === 'checkbox') expect(control.getAttribute('type')).toBe('checkbox');
      else if (f.kind === 'select') expect([...(control as HTMLSelectElement).options].map((o) => o.textContent)).toEqual(f.options.map((o) => o.label));
      else if (f.kind === 'multiline') expect(control.tagName).toBe('TEXTAREA');
      else expect(control.getAttribute('type')).toBe(f.secret ? 'password' : null);
    }
  });

  test('a saved connection’s settings come back from the form unchanged, its secrets kept (never sent)', () => {
    const settings = Object.fromEntries(Object.entries(d.sample.settings).filter(([key]) => !fieldsOf(type).find((f) => f.key === key)?.secret));
    const secretsSet = Object.fromEntries(fieldsOf(type).filter((f) => f.secret).map((f) => [f.key, true]));
    const view = { id: 'c', name: 'Saved', type, [type]: settings, secretsSet } as ConnectionView;
    const input = formToConnectionInput(connectionToForm(view));
    const sent = connectionSettings(input as ConnectionSettings);
    // Unticked checkboxes come back as false; every other setting as it was, and no secret at all.
    expect(Object.fromEntries(Object.entries(sent).filter(([, v]) => v !== false))).toEqual(Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== false)));
  });
});

describe('rules between settings in the form', () => {
  test('are the descriptor’s, said with the form’s labels', async () => {
    const { user, client } = renderWithStore(<ConnectionForm connection={null} initialType="aws" onDone={vi.fn()} />);
    await user.type(screen.getByLabelText(/^Name/), 'Work S3');
    await user.type(screen.getByLabelText(/^Access key ID/), 'AKIA123');
    await user.click(screen.getByRole('button', { name: 'Save connection' }));
    expect(description(screen.getByLabelText(/^Secret access key/))).toContain(
      'Secret access key is required because access key ID is set (give both, or neither to use the default AWS credential chain).',
    );
    expect(client.calls).toEqual([]);
  });

  test('a rule about the settings as a whole is shown for the form', async () => {
    const { user, client } = renderWithStore(<ConnectionForm connection={null} initialType="azure" onDone={vi.fn()} />);
    await user.type(screen.getByLabelText(/^Name/), 'Blobs');
    await user.type(screen.getByLabelText(/^Storage account name/), 'mystorage');
    await user.click(screen.getByRole('button', { name: 'Save connection' }));
    const form = screen.getByRole('form');
    expect(within(form).getByRole('alert').textContent).toBe('Azure Blob Storage needs one of "account key", "connection string", "SAS token".');
    expect(client.calls).toEqual([]);
  });
});
