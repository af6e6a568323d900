// File-system errors read as plain words, with the code kept in parentheses and the original as cause.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mapFsError } from '../../electron/providers/local-fs-errors';

const dir = mkdtempSync(path.join(tmpdir(), 'cds-fs-errors-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

describe('mapFsError', () => {
  it('says what a missing folder and a folder read as a file are, naming the path and keeping the code', () => {
    const missing = thrown(() => readdirSync(path.join(dir, 'photos')));
    const error = mapFsError(missing, 'listing photos');
    expect(error).toMatchObject({ code: 'NotFound', message: `listing photos: ${path.join(dir, 'photos')} does not exist (ENOENT)`, cause: missing });
    expect(error.message).not.toMatch(/scandir/);

    const folder = thrown(() => readFileSync(dir));
    expect(mapFsError(folder, 'reading a')).toMatchObject({ code: 'Fatal', message: 'reading a: is a folder where a file was expected (EISDIR)' });
  });

  it('keeps the message of an error it has no words for', () => {
    const odd = Object.assign(new Error('something odd'), { code: 'EWEIRD' });
    expect(mapFsError(odd, 'writing b').message).toBe('writing b: something odd');
  });
});
