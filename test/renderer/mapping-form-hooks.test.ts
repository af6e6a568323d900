// The mapping form's hooks: each hook a JSON array of strings, read by the config reader's readHooks
// so it is refused in the same words, and carried to MappingInput and back unchanged.
import { describe, expect, test } from 'vitest';
import { emptyMappingForm, formToMappingInput, mappingFormFieldOf, mappingToForm, validateMappingForm, type MappingFormState } from '../../renderer/views/mapping-form';
import { localConnection, mapping } from './fixtures';

const connections = [localConnection('disk', 'Disk', '/data/a'), localConnection('nas', 'NAS', '/data/b')];

function form(patch: Partial<MappingFormState>): MappingFormState {
  return { ...emptyMappingForm(connections), sourceBucket: 'photos', targetBucket: 'backup', ...patch };
}

describe('mapping form: hooks', () => {
  test('a new form has no hooks and sends none', () => {
    const f = form({});
    expect([f.hooksBefore, f.hooksAfter, f.hooksTimeout]).toEqual(['', '', '']);
    expect(validateMappingForm(f, connections)).toEqual({});
    expect(formToMappingInput(f)).not.toHaveProperty('hooks');
  });

  test('sends the argv arrays and the timeout as typed, and shows a saved mapping the same way', () => {
    const f = form({ hooksBefore: '["/usr/bin/check", "a b"]', hooksAfter: ' ["notify"] ', hooksTimeout: '30' });
    expect(validateMappingForm(f, connections)).toEqual({});
    const hooks = { before: ['/usr/bin/check', 'a b'], after: ['notify'], timeoutSeconds: 30 };
    expect(formToMappingInput(f).hooks).toEqual(hooks);
    const back = mappingToForm(mapping('m1', { hooks }));
    expect([back.hooksBefore, back.hooksAfter, back.hooksTimeout]).toEqual(['["/usr/bin/check","a b"]', '["notify"]', '30']);
  });

  test('refuses a command line that is not a JSON array, and the reader\'s problems at their fields', () => {
    expect(validateMappingForm(form({ hooksBefore: 'backup.sh --now' }), connections).hooksBefore).toMatch(/^Before hook: write the command and its arguments as a JSON array of strings/);
    expect(validateMappingForm(form({ hooksAfter: '[]' }), connections).hooksAfter).toMatch(/^After hook must be a non-empty array of strings/);
    expect(validateMappingForm(form({ hooksBefore: '["x"]', hooksTimeout: '0' }), connections).hooksTimeout).toMatch(/^Hook timeout must be a whole number from 1 to 86400/);
    expect(validateMappingForm(form({ hooksBefore: '["x"]', hooksTimeout: 'soon' }), connections).hooksTimeout).toMatch(/^Hook timeout must be a whole number/);
  });

  test("a server error at hooks.* lands on the hooks' field", () => {
    expect(mappingFormFieldOf('hooks.before')).toBe('hooksBefore');
  });
});
