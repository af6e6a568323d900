// The connection form's state, checks and conversions, all from the provider's descriptor
// (shared/providers/): its fields, their checks and the rules between them are the ones the config
// file and the server use (the server checks again and has the last word).
import type { ConnectionInput, ConnectionView } from '../../shared/contract';
import { connectionSettings, descriptorOf, fieldsOf, settingsIssues, STORED_SECRET, type Field, type ProviderType } from '../../shared/providers';
import { secretInputValue, secretWillBeSet, type SecretValue } from '../components/secret-field';

export interface ConnectionFormState {
  id: string | null;
  name: string;
  type: ProviderType;
  /** Non-secret settings: strings, or booleans for checkboxes. */
  values: Record<string, string | boolean>;
  secrets: Record<string, SecretValue>;
  /** Which secrets the stored connection has (from ConnectionView.secretsSet). */
  storedSecrets: Record<string, boolean>;
}

/** Problems by field key ('name' or a settings key; '' for the settings as a whole). */
export type FormErrors = Record<string, string>;

export function emptyConnectionForm(type: ProviderType): ConnectionFormState {
  const values: Record<string, string | boolean> = {};
  const secrets: Record<string, SecretValue> = {};
  for (const f of fieldsOf(type)) {
    if (f.secret) secrets[f.key] = { kind: 'replace', value: '' };
    else values[f.key] = f.kind === 'checkbox' ? false : '';
  }
  return { id: null, name: '', type, values, secrets, storedSecrets: {} };
}

/** The form for an existing connection: settings filled in, secrets only as "set" or not. */
export function connectionToForm(c: ConnectionView): ConnectionFormState {
  const form = emptyConnectionForm(c.type);
  const settings = connectionSettings(c);
  for (const f of fieldsOf(c.type)) {
    if (f.secret) {
      form.secrets[f.key] = c.secretsSet[f.key] ? { kind: 'keep' } : { kind: 'replace', value: '' };
      continue;
    }
    const value = settings[f.key];
    form.values[f.key] = f.kind === 'checkbox' ? value === true : typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value);
  }
  return { ...form, id: c.id, name: c.name, storedSecrets: { ...c.secretsSet } };
}

const text = (form: ConnectionFormState, key: string) => {
  const v = form.values[key];
  return typeof v === 'string' ? v.trim() : '';
};
const secretSet = (form: ConnectionFormState, key: string) => secretWillBeSet(form.secrets[key] ?? { kind: 'keep' }, form.storedSecrets[key] === true);
const typedSecret = (form: ConnectionFormState, key: string) => {
  const secret = form.secrets[key];
  return secret?.kind === 'replace' ? secret.value.trim() : '';
};

/** "Access key ID" → "access key ID", "SAS token" stays: how a message names a field mid-sentence. */
function midSentence(label: string): string {
  return /^[A-Z][a-z]/.test(label) ? label.charAt(0).toLowerCase() + label.slice(1) : label;
}

/**
 * The settings the form will save, as the descriptor's rules see them: values that are set, a
 * secret that stays stored as STORED_SECRET (its value never reaches the renderer).
 */
function settingsForRules(form: ConnectionFormState, fields: readonly Field[]): Record<string, string | boolean> {
  const settings: Record<string, string | boolean> = {};
  for (const f of fields) {
    if (f.secret) {
      if (secretSet(form, f.key)) settings[f.key] = typedSecret(form, f.key) || STORED_SECRET;
    } else if (f.kind === 'checkbox') {
      if (form.values[f.key] === true) settings[f.key] = true;
    } else if (text(form, f.key) !== '') {
      settings[f.key] = text(form, f.key);
    }
  }
  return settings;
}

/** Problems the user can fix before saving, by field key ('name' or a settings key; '' for the whole form). */
export function validateConnectionForm(form: ConnectionFormState): FormErrors {
  const errors: FormErrors = {};
  if (form.name.trim() === '') errors.name = 'Give the connection a name, e.g. "Work S3" or "Photos folder".';
  const fields = fieldsOf(form.type);
  const labels = new Map(fields.map((f) => [f.key, f.label]));
  const name = (key: string) => midSentence(labels.get(key) ?? key);
  // The descriptor's rules, as the config file and the server run them, in the form's words.
  for (const issue of settingsIssues(form.type, settingsForRules(form, fields), name)) {
    if (issue.level !== 'error') continue;
    errors[issue.field] ??= `${issue.field === '' ? descriptorOf(form.type).label : (labels.get(issue.field) ?? issue.field)} ${issue.message}.`;
  }
  return errors;
}

/** The create/update input: empty optional settings left out; secrets only when set or cleared. */
export function formToConnectionInput(form: ConnectionFormState): ConnectionInput {
  const settings: Record<string, string | boolean> = {};
  for (const f of fieldsOf(form.type)) {
    if (f.secret) {
      const value = secretInputValue(form.secrets[f.key] ?? { kind: 'keep' });
      // On create, '' (clear) means nothing: leave it out.
      if (value !== undefined && !(value === '' && form.id === null)) settings[f.key] = value;
      continue;
    }
    const value = form.values[f.key];
    if (typeof value === 'boolean') {
      settings[f.key] = value;
    } else if (typeof value === 'string' && value.trim() !== '') {
      settings[f.key] = value.trim();
    }
  }
  const base = { name: form.name.trim(), ...(form.id === null ? {} : { id: form.id }) };
  return { ...base, type: form.type, [form.type]: settings } as ConnectionInput;
}

/** A server error's field ("aws.endpoint", "minio.secretKey", "name", "aws") as the form's field key ('' for the settings as a whole). */
export function formFieldOf(serverField: string | undefined, type: ProviderType): string {
  if (!serverField || serverField === type) return '';
  const prefix = `${type}.`;
  return serverField.startsWith(prefix) ? serverField.slice(prefix.length) : serverField;
}
