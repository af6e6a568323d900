// The mapping form's alerts (renderer/views/alerts-form.ts): a saved mapping's alerts come as a view
// (origins, whether a secret is set), and saving the form unchanged sends them back as "keep": ids,
// events, no URL and no secret; typed values replace, "remove" clears; problems name the row.
import { describe, expect, test } from 'vitest';
import type { AlertsView } from '../../shared/alerts';
import { alertsControlOf, alertsFormProblem, alertsFormProblemAt, alertsToForm, formToAlertsInput, newWebhookRow } from '../../renderer/views/alerts-form';
import { emptyMappingForm, formToMappingInput, mappingFormFieldOf, mappingToForm, validateMappingForm, type MappingFormState } from '../../renderer/views/mapping-form';
import { localConnection, mapping } from './fixtures';

const connections = [localConnection('disk', 'Disk', '/data/a'), localConnection('nas', 'NAS', '/data/b')];

function form(patch: Partial<MappingFormState>): MappingFormState {
  return { ...emptyMappingForm(connections), sourceBucket: 'photos', targetBucket: 'backup', ...patch };
}

const view: AlertsView = {
  webhooks: [
    { id: 'a1', url: { origin: 'https://hooks.example.com' }, on: ['failure', 'guard'], secretSet: true },
    { id: 'b2', url: { origin: 'http://127.0.0.1:9000' }, on: ['success'], secretSet: false },
  ],
  healthchecks: { start: { origin: 'https://hc-ping.com' }, success: { origin: 'https://hc-ping.com' } },
};

describe('mapping form: alerts', () => {
  test('a new form has no alerts and sends none', () => {
    const f = form({});
    expect(f.alerts.webhooks).toEqual([]);
    expect(validateMappingForm(f, connections)).toEqual({});
    expect(formToMappingInput(f)).not.toHaveProperty('alerts');
  });

  test("a saved mapping's alerts saved unchanged are sent as kept: ids and events, no URL, no secret", () => {
    const f = mappingToForm(mapping('m1', { sourceConnectionId: 'disk', targetConnectionId: 'nas', alerts: view }));
    expect(f.alerts.webhooks.map((w) => [w.id, w.storedOrigin, w.secretSet, w.url, w.secret])).toEqual([
      ['a1', 'https://hooks.example.com', true, '', ''],
      ['b2', 'http://127.0.0.1:9000', false, '', ''],
    ]);
    expect(f.alerts.healthchecks.start.storedOrigin).toBe('https://hc-ping.com');
    expect(f.alerts.healthchecks.fail.storedOrigin).toBeNull();
    expect(validateMappingForm(f, connections)).toEqual({});
    expect(formToMappingInput(f).alerts).toEqual({ webhooks: [{ id: 'a1', on: ['failure', 'guard'] }, { id: 'b2', on: ['success'] }], healthchecks: {} });
  });

  test('typed values replace, "remove" clears a secret or a ping, a removed row is left out, a new row sends its URL', () => {
    const f = alertsToForm(view);
    f.webhooks[0] = { ...f.webhooks[0]!, url: ' https://hooks.example.com/new ', clearSecret: true };
    f.webhooks[1] = { ...f.webhooks[1]!, secret: 's3cret' };
    f.webhooks.push({ ...newWebhookRow(), url: 'https://chat.example.org/hook' });
    f.webhooks.splice(1, 1);
    f.healthchecks.start = { ...f.healthchecks.start, clear: true };
    f.healthchecks.fail = { ...f.healthchecks.fail, url: 'https://hc-ping.com/uuid/fail' };
    expect(alertsFormProblem(f)).toBeNull();
    expect(formToAlertsInput(f)).toEqual({
      webhooks: [
        { id: 'a1', url: 'https://hooks.example.com/new', on: ['failure', 'guard'], secret: '' },
        { url: 'https://chat.example.org/hook', on: ['failure', 'guard'] },
      ],
      healthchecks: { start: '', fail: 'https://hc-ping.com/uuid/fail' },
    });
  });

  test('everything removed sends null (no alerts)', () => {
    const f = alertsToForm({ webhooks: [], healthchecks: { success: { origin: 'https://hc-ping.com' } } });
    f.healthchecks.success = { ...f.healthchecks.success, clear: true };
    expect(formToAlertsInput(f)).toBeNull();
  });

  test('problems name the row or field and land on the alerts field', () => {
    const missingUrl = form({ alerts: { ...alertsToForm(null), webhooks: [newWebhookRow()] } });
    expect(validateMappingForm(missingUrl, connections).alerts).toBe('Webhook 1: give the URL the alert is sent to.');
    const badUrl = form({ alerts: { ...alertsToForm(null), webhooks: [{ ...newWebhookRow(), url: 'hooks.example.com/x' }] } });
    expect(validateMappingForm(badUrl, connections).alerts).toMatch(/^Webhook 1: the URL must be an http:\/\/ or https:\/\/ URL/);
    const noEvents = form({ alerts: { ...alertsToForm(null), webhooks: [{ ...newWebhookRow(), url: 'https://x.example', on: [] }] } });
    expect(validateMappingForm(noEvents, connections).alerts).toMatch(/^Webhook 1: choose at least one of/);
    const noSuccess = alertsToForm(null);
    noSuccess.healthchecks.start = { ...noSuccess.healthchecks.start, url: 'https://hc-ping.com/u/start' };
    expect(alertsFormProblem(noSuccess)).toBe('Success ping URL: give one; the start and failure pings go with it.');
    expect(mappingFormFieldOf('alerts.webhooks[0].url')).toBe('alerts');
  });

  test('a problem names its field as the server does, and that field names the control the editor marks', () => {
    const f = alertsToForm(view);
    f.webhooks[1] = { ...f.webhooks[1]!, on: [] };
    expect(alertsFormProblemAt(f)).toEqual({ message: expect.stringMatching(/^Webhook 2: choose at least one of/), field: 'alerts.webhooks[1].on' });
    f.webhooks[1] = { ...f.webhooks[1]!, on: ['failure'] };
    f.healthchecks.fail = { ...f.healthchecks.fail, url: 'ftp://x' };
    expect(alertsFormProblemAt(f)?.field).toBe('alerts.healthchecks.fail');
    expect(alertsControlOf('alerts.webhooks[1].on')).toEqual({ webhook: 1, part: 'on' });
    expect(alertsControlOf('alerts.webhooks[0].on[1]')).toEqual({ webhook: 0, part: 'on' });
    expect(alertsControlOf('alerts.webhooks[3].secret')).toEqual({ webhook: 3, part: 'secret' });
    expect(alertsControlOf('alerts.healthchecks.success')).toEqual({ ping: 'success' });
    expect(alertsControlOf('alerts.webhooks[0].id')).toBeNull();
    expect(alertsControlOf('alerts.webhooks')).toBeNull();
    expect(alertsControlOf('alerts.healthchecks.other')).toBeNull();
    expect(alertsControlOf('alerts')).toBeNull();
    expect(alertsControlOf(undefined)).toBeNull();
  });
});
