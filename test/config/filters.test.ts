import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig, toConfigJson, validateMappingInput, type ConfigIssue } from '../../shared/config';
import { compileFilters, compileGlob, exclusionText, ExclusionCounts, formatAge, formatSize, parseAge, parseSize } from '../../shared/filters';
import type { Connection } from '../../shared/model';

type Json = { [key: string]: unknown };

const PROVIDERS = [
  { id: 'disk', type: 'local', local: { root: '/srv/a' } },
  { id: 'other', type: 'local', local: { root: '/srv/b' } },
];

function configWith(fields: Json): string {
  return JSON.stringify({
    providers: PROVIDERS,
    mappings: [{ sourceProviderId: 'disk', sourceBucket: 'src', targetProviderId: 'other', targetBucket: 'dst', ...fields }],
  });
}

function issuesOf(fields: Json): ConfigIssue[] {
  try {
    parseConfig(configWith(fields));
  } catch (err) {
    if (err instanceof ConfigError) return [...err.issues];
    throw err;
  }
  throw new Error('expected parseConfig to throw ConfigError');
}

const NOW = Date.UTC(2026, 0, 10);
const DAY = 86_400_000;

describe('globs (rclone-style, on the key relative to the prefix)', () => {
  const cases: [pattern: string, key: string, matches: boolean][] = [
    ['*.tmp', 'a.tmp', true],
    ['*.tmp', 'x/y/a.tmp', true], // unanchored: matches the end of the key
    ['*.tmp', 'a.tmp.txt', false],
    ['/*.tmp', 'x/a.tmp', false], // anchored at the prefix: * does not cross "/"
    ['/*.tmp', 'a.tmp', true],
    ['logs/*', 'logs/1.txt', true],
    ['logs/*', 'logs/2026/1.txt', false],
    ['logs/**', 'logs/2026/1.txt', true],
    ['logs/**', 'x/logs/1.txt', true],
    ['/logs/**', 'x/logs/1.txt', false],
    ['?.txt', 'a.txt', true],
    ['?.txt', 'ab.txt', false],
    ['*.{jpg,png}', 'p/cat.png', true],
    ['*.{jpg,png}', 'p/cat.gif', false],
    ['.DS_Store', 'a/.DS_Store', true], // dot files are ordinary
    ['**/.git/**', '.git/config', true],
    ['[ab].txt', 'b.txt', true],
    ['[ab].txt', 'c.txt', false],
  ];
  it.each(cases)('%s on %s → %s', (pattern, key, matches) => {
    expect(compileGlob(pattern)(key)).toBe(matches);
  });

  it('refuses unbalanced brackets and braces, and an empty pattern', () => {
    expect(() => compileGlob('a[b')).toThrow(/Missing closing/);
    expect(() => compileGlob('{a,b')).toThrow(/Missing closing/);
    expect(() => compileGlob(' ')).toThrow(/empty/);
  });
});

describe('sizes and ages', () => {
  it('reads sizes in bytes or with a base-1024 unit, like rclone', () => {
    expect(parseSize(100)).toBe(100);
    expect(parseSize('100')).toBe(100);
    expect(parseSize('10M')).toBe(10 * 1024 ** 2);
    expect(parseSize('10MiB')).toBe(10 * 1024 ** 2);
    expect(parseSize('10mb')).toBe(10 * 1024 ** 2);
    expect(parseSize('1.5G')).toBe(1.5 * 1024 ** 3);
    expect(parseSize('2k')).toBe(2048);
    expect(parseSize('1P')).toBe(1024 ** 5);
    for (const bad of ['', 'M', '10X', '-1', '1,5G', 1.5, -3]) expect(parseSize(bad)).toBeNull();
  });

  it('writes sizes back in the largest unit that divides them', () => {
    expect(formatSize(10 * 1024 ** 2)).toBe('10M');
    expect(formatSize(1536 * 1024 ** 2)).toBe('1536M');
    expect(formatSize(1000)).toBe(1000);
  });

  it('reads ages with units, combined, or seconds', () => {
    expect(parseAge('7d')).toBe(7 * 86_400);
    expect(parseAge('12h')).toBe(12 * 3_600);
    expect(parseAge('30m')).toBe(1_800);
    expect(parseAge('90s')).toBe(90);
    expect(parseAge('2w')).toBe(14 * 86_400);
    expect(parseAge('1d12h')).toBe(36 * 3_600);
    expect(parseAge('1.5h')).toBe(5_400);
    expect(parseAge(60)).toBe(60);
    for (const bad of ['', '7', 'd', '7y', '-1d', '7 days', 1.5]) expect(parseAge(bad)).toBeNull();
    expect(formatAge(7 * 86_400)).toBe('1w');
    expect(formatAge(36 * 3_600)).toBe('36h');
    expect(formatAge(90)).toBe('90s');
  });
});

describe('compileFilters: deciding a key', () => {
  it('without filters is inactive and includes everything', () => {
    const f = compileFilters({ include: [], exclude: [], minSize: null, deleteExcluded: true });
    expect(f.active).toBe(false);
    expect(f.decide('any/key', 0, 0, NOW)).toBeNull();
  });

  it('names the first rule that excludes, in the documented order', () => {
    const f = compileFilters({
      include: ['*.jpg', '*.tmp'],
      includeRegex: ['^raw/'],
      exclude: ['*.tmp', 'cache/**'],
      excludeRegex: ['\\.bak$'],
      minSize: 10,
      maxSize: 10 * 1024 ** 2,
      minAge: 3_600,
      maxAge: 30 * 86_400,
    });
    const fresh = NOW - DAY;
    expect(f.decide('a/b.jpg', 100, fresh, NOW)).toBeNull();
    expect(f.decide('raw/file.cr2', 100, fresh, NOW)).toBeNull();
    expect(f.decide('a/b.txt', 100, fresh, NOW)).toBe('include (matched none)');
    expect(f.decide('a/b.tmp', 100, fresh, NOW)).toBe('exclude "*.tmp"');
    expect(f.decide('cache/x.jpg', 100, fresh, NOW)).toBe('exclude "cache/**"');
    expect(f.decide('raw/x.bak', 100, fresh, NOW)).toBe('excludeRegex "\\\\.bak$"');
    expect(f.decide('a/b.jpg', 9, fresh, NOW)).toBe('minSize 10 B');
    expect(f.decide('a/b.jpg', 10 * 1024 ** 2 + 1, fresh, NOW)).toBe('maxSize 10 MiB');
    expect(f.decide('a/b.jpg', 10 * 1024 ** 2, fresh, NOW)).toBeNull();
    expect(f.decide('a/b.jpg', 100, NOW - 60_000, NOW)).toBe('minAge 1h');
    expect(f.decide('a/b.jpg', 100, NOW - 31 * DAY, NOW)).toBe('maxAge 30d');
  });

  it('refuses an invalid pattern naming its field', () => {
    expect(() => compileFilters({ includeRegex: ['ok', '(('] })).toThrow(/^includeRegex\[1\]: invalid regular expression "\(\(":/);
    expect(() => compileFilters({ exclude: ['{a'] })).toThrow(/^exclude\[0\]: invalid glob "\{a": Missing closing/);
  });

  it('counts exclusions per rule for the log line', () => {
    const counts = new ExclusionCounts();
    for (const rule of ['exclude "*.tmp"', 'maxSize 10 MiB', 'exclude "*.tmp"']) counts.add(rule);
    expect(counts.total).toBe(3);
    expect(exclusionText(counts.list())).toBe('2 by exclude "*.tmp", 1 by maxSize 10 MiB');
  });
});

describe('config: filter fields', () => {
  it('loads every field, and a mapping without them has none', () => {
    const config = parseConfig(
      configWith({
        include: ['**/*.jpg'],
        exclude: ['*.tmp', '/cache/**'],
        includeRegex: '^photos/',
        excludeRegex: ['\\.bak$'],
        minSize: 1,
        maxSize: '10M',
        minAge: '30m',
        maxAge: '7d',
        deleteExcluded: true,
      }),
    );
    expect(config.mappings[0]).toMatchObject({
      include: ['**/*.jpg'],
      exclude: ['*.tmp', '/cache/**'],
      includeRegex: ['^photos/'],
      excludeRegex: ['\\.bak$'],
      minSize: 1,
      maxSize: 10 * 1024 ** 2,
      minAge: 1_800,
      maxAge: 7 * 86_400,
      deleteExcluded: true,
    });
    const plain = parseConfig(configWith({ include: [], minSize: null, deleteExcluded: false })).mappings[0]!;
    for (const key of ['include', 'exclude', 'includeRegex', 'excludeRegex', 'minSize', 'maxSize', 'minAge', 'maxAge', 'deleteExcluded']) {
      expect(plain).not.toHaveProperty(key);
    }
  });

  it('exports the filters in the file units and reads them back to the same mapping', () => {
    const config = parseConfig(configWith({ exclude: ['*.tmp'], excludeRegex: ['x$'], maxSize: '1.5G', minAge: '36h', deleteExcluded: true }));
    const text = toConfigJson(config.connections, config.mappings);
    const written = (JSON.parse(text) as { mappings: Json[] }).mappings[0]!;
    expect(written).toMatchObject({ exclude: ['*.tmp'], excludeRegex: ['x$'], maxSize: '1536M', minAge: '36h', deleteExcluded: true });
    expect(written).not.toHaveProperty('include');
    expect(parseConfig(text).mappings).toEqual(config.mappings);
  });

  it('names the field of every invalid value', () => {
    const issues = issuesOf({
      include: '*.jpg',
      exclude: ['*.tmp', 3, 'a[b'],
      includeRegex: ['('],
      excludeRegex: 7,
      minSize: '10X',
      maxSize: -1,
      minAge: '7y',
      maxAge: 'soon',
      deleteExcluded: 'yes',
    });
    const byField = Object.fromEntries(issues.map((i) => [i.field, i.message]));
    expect(Object.keys(byField).sort()).toEqual(
      [
        'mappings[0].include',
        'mappings[0].exclude[1]',
        'mappings[0].exclude[2]',
        'mappings[0].includeRegex[0]',
        'mappings[0].excludeRegex',
        'mappings[0].minSize',
        'mappings[0].maxSize',
        'mappings[0].minAge',
        'mappings[0].maxAge',
        'mappings[0].deleteExcluded',
      ].sort(),
    );
    expect(byField['mappings[0].include']).toMatch(/must be an array of glob patterns/);
    expect(byField['mappings[0].exclude[1]']).toMatch(/must be a string \(got 3\)/);
    expect(byField['mappings[0].exclude[2]']).toMatch(/^invalid glob "a\[b": Missing closing/);
    expect(byField['mappings[0].includeRegex[0]']).toMatch(/^invalid regular expression "\(":/);
    expect(byField['mappings[0].excludeRegex']).toMatch(/must be an array of regular expressions \(or one\)/);
    expect(byField['mappings[0].minSize']).toMatch(/must be a whole number of bytes, or a size such as "10M"/);
    expect(byField['mappings[0].maxSize']).toMatch(/got -1/);
    expect(byField['mappings[0].minAge']).toMatch(/must be an age such as "7d"/);
    expect(byField['mappings[0].maxAge']).toMatch(/got "soon"/);
  });

  it('refuses a one-string regex that does not compile at the field itself', () => {
    expect(issuesOf({ excludeRegex: '[' })).toEqual([{ field: 'mappings[0].excludeRegex', message: expect.stringMatching(/^invalid regular expression "\[":/) }]);
  });

  it('refuses an empty window: min above max', () => {
    expect(issuesOf({ minSize: '2M', maxSize: '1M' })).toEqual([
      { field: 'mappings[0].minSize', message: 'must not be larger than maxSize (2 MiB > 1 MiB): no object would be copied' },
    ]);
    expect(issuesOf({ minAge: '2d', maxAge: '1d' })).toEqual([
      { field: 'mappings[0].minAge', message: 'must not be larger than maxAge (2d > 1d): no object would be copied' },
    ]);
  });

  it('refuses an unknown key in a mapping (a misspelt filter), naming it', () => {
    expect(issuesOf({ exlude: ['*.tmp'] })).toEqual([{ field: 'mappings[0].exlude', message: 'unknown key' }]);
  });

  it('warns that deleteExcluded does nothing when nothing is deleted', () => {
    expect(parseConfig(configWith({ exclude: ['*.tmp'], deleteExcluded: true, deleteMode: 'never' })).warnings).toEqual([
      'mappings[0].deleteExcluded: has no effect because deleteMode is "never"',
    ]);
  });
});

describe('app input: filter fields in the model units', () => {
  const connections: Connection[] = [
    { id: 'disk', name: 'disk', type: 'local', local: { root: '/srv/a' } },
    { id: 'other', name: 'other', type: 'local', local: { root: '/srv/b' } },
  ];
  const input = {
    name: '',
    sourceConnectionId: 'disk',
    sourceBucket: 'src',
    sourcePrefix: '',
    targetConnectionId: 'other',
    targetBucket: 'dst',
    targetPrefix: '',
    transfers: 4,
    deleteMode: 'synced',
    maxDelete: null,
    dryRun: false,
    enabled: true,
    intervalSeconds: null,
  };

  it('takes bytes and seconds, and drops empty filters', () => {
    const m = validateMappingInput({ ...input, exclude: ['*.tmp'], include: [], maxSize: 1024, minAge: null, maxAge: 60 }, connections);
    expect(m).toMatchObject({ exclude: ['*.tmp'], maxSize: 1024, maxAge: 60 });
    expect(m).not.toHaveProperty('include');
    expect(m).not.toHaveProperty('minAge');
  });

  it('refuses strings with units (the form converts them) and invalid patterns at the field', () => {
    expect(() => validateMappingInput({ ...input, maxSize: '10M' }, connections)).toThrow(/^maxSize: must be a whole number of bytes of at least 0, or null/);
    expect(() => validateMappingInput({ ...input, excludeRegex: '^x' }, connections)).toThrow(/^excludeRegex: must be an array of regular expressions \(got "\^x"\)/);
    expect(() => validateMappingInput({ ...input, exclude: ['ok', '{a'] }, connections)).toThrow(/^exclude\[1\]: invalid glob/);
  });
});
