// The tag rules of object-tags.ts without a server: what S3 and Azure can store, the x-amz-tagging
// header, and a GetObjectTagging body read exactly (values that look like numbers, entities, spaces).
import { describe, expect, it } from 'vitest';
import { checkTags, parseTaggingXml, s3TaggingHeader, tagProblem } from '../../electron/providers/object-tags';
import { isStorageError } from '../../electron/providers/errors';

describe('object tags', () => {
  it('S3 takes Unicode letters and @; Azure takes neither', () => {
    expect(tagProblem('s3', 'owner', 'ops@example.com')).toBeUndefined();
    expect(tagProblem('s3', 'café', 'Zürich 1')).toBeUndefined();
    expect(tagProblem('azure', 'owner', 'ops@example.com')).toMatch(/value may hold only ASCII letters/);
    expect(tagProblem('azure', 'café', 'x')).toMatch(/name may hold only ASCII letters/);
    expect(tagProblem('azure', 'cost-center', 'R+D/7: a=b_c.d')).toBeUndefined();
  });

  it('both refuse #, an empty or too long name, a too long value and more than 10 tags', () => {
    for (const service of ['s3', 'azure'] as const) {
      expect(tagProblem(service, 'note', 'a#b')).toBeDefined();
      expect(tagProblem(service, '', 'x')).toMatch(/1 to 128 characters/);
      expect(tagProblem(service, 'n'.repeat(129), 'x')).toMatch(/1 to 128 characters/);
      expect(tagProblem(service, 'n', 'v'.repeat(257))).toMatch(/at most 256/);
      expect(tagProblem(service, 'n', '')).toBeUndefined();
      const eleven = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`t${i}`, 'v']));
      expect(() => checkTags(service, eleven, 'write b/k')).toThrow(/11 tags, more than the 10/);
    }
    // Lengths count characters: 128 of them make a valid name however many bytes they take.
    expect(tagProblem('s3', 'é'.repeat(128), 'x')).toBeUndefined();
  });

  it('checkTags fails Fatal naming the tag, and passes no tags as undefined', () => {
    let failure: unknown;
    try {
      checkTags('azure', { owner: 'ops@example.com' }, 'write b/k');
    } catch (err) {
      failure = err;
    }
    expect(isStorageError(failure, 'Fatal')).toBe(true);
    expect((failure as Error).message).toBe(
      'write b/k: Azure blob index tags cannot store tag "owner" = "ops@example.com": a tag value may hold only ASCII letters, digits, space and + - . / : = _; tags are never altered, so nothing was written',
    );
    expect(checkTags('s3', {}, 'w')).toBeUndefined();
    expect(checkTags('s3', undefined, 'w')).toBeUndefined();
  });

  it('the x-amz-tagging header is a URL query string of the tags', () => {
    expect(s3TaggingHeader({ project: 'apollo', 'cost center': 'R+D/7', empty: '' })).toBe('project=apollo&cost%20center=R%2BD%2F7&empty=');
    expect(s3TaggingHeader({})).toBeUndefined();
  });

  it('a GetObjectTagging body is read exactly: "007" stays a string, entities are decoded, spaces kept', () => {
    const xml =
      '<?xml version="1.0" encoding="UTF-8"?><Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><TagSet>' +
      '<Tag><Key>build</Key><Value>007</Value></Tag>' +
      '<Tag><Key>R&amp;D</Key><Value> a &lt;b&gt; &#233;&#x1F600; </Value></Tag>' +
      '<Tag><Key>empty</Key><Value></Value></Tag>' +
      '<Tag><Key>self-closed</Key><Value/></Tag>' +
      '</TagSet></Tagging>';
    expect(parseTaggingXml(xml)).toEqual({ build: '007', 'R&D': ' a <b> é😀 ', empty: '', 'self-closed': '' });
    expect(parseTaggingXml('<Tagging><TagSet/></Tagging>')).toEqual({});
  });
});
