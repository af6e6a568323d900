// Local folders: a root folder whose subfolders are the buckets. No cloud account needed.
import { describe } from '../config/report';
import { defineProvider, type SettingsOf } from './descriptor';

export const localProvider = defineProvider({
  type: 'local',
  label: 'Local folder',
  blurb: 'A folder on this machine. No cloud account needed: try the app with it.',
  aliases: ['file'],
  fields: {
    root: {
      kind: 'text',
      label: 'Folder',
      required: 'the absolute path of the folder whose subfolders are the buckets',
      placeholder: '/home/me/buckets',
      help: 'Absolute path of a folder on this machine. Each folder inside it is a bucket; create one (for example "photos") to sync into.',
      check: (root) => {
        if (isAbsolutePath(root)) return null;
        const tilde = root.startsWith('~') ? ' ("~" is not expanded: write the full path)' : '';
        return `must be an absolute path such as "/data/buckets" or "C:\\data\\buckets" (got ${describe(root)})${tilde}`;
      },
    },
    symlinks: {
      kind: 'select',
      label: 'Symlinks',
      help: 'Symlinks inside a bucket folder when it is a source. Skip: each one is reported in the log and nothing is read through it. Follow: the file or folder it points to is synced. Writes never follow a symlink.',
      // An empty form value (a connection saved without the setting) shows as the first option, the default.
      options: [
        { value: 'skip', label: 'Skip (default)' },
        { value: 'follow', label: 'Follow' },
      ],
    },
  },
  buckets: {
    noun: 'local bucket (folder) name',
    rules: [
      [(n) => n.length > 0, 'must not be empty'],
      [(n) => n !== '.' && n !== '..', 'must not be "." or ".."'],
      [(n) => !/[/\\\u0000]/.test(n), 'must be a single folder name (no "/", "\\" or NUL)'],
      [(n) => n.length <= 255, 'must be at most 255 characters long'],
    ],
  },
  // A local prefix becomes folders: "." or ".." segments would alias or escape the bucket folder.
  prefixProblem: (prefix) =>
    /[\\\u0000]/.test(prefix) || prefix.split('/').some((seg) => seg === '.' || seg === '..')
      ? 'for a local folder must not contain "\\", NUL, or "." and ".." path segments'
      : null,
  whereabouts: { kind: 'folder', field: 'root', root: (s) => s.root },
  summary: (s) => s.root,
  logo: [
    ['path', { d: 'M3 7.5A2.5 2.5 0 0 1 5.5 5h5l2 2.5h6A2.5 2.5 0 0 1 21 10v7.5a2.5 2.5 0 0 1-2.5 2.5h-13A2.5 2.5 0 0 1 3 17.5z', fill: '#d9a13b' }],
    ['path', { d: 'M3 10h18v7.5a2.5 2.5 0 0 1-2.5 2.5h-13A2.5 2.5 0 0 1 3 17.5z', fill: '#f2c25b' }],
  ],
  sample: { name: 'Local folder (each subfolder is a bucket)', settings: { root: '/tmp/cloud-data-sync/local' } },
});

export type LocalSettings = SettingsOf<typeof localProvider.fields>;

function isAbsolutePath(p: string): boolean {
  return p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p) || /^\\\\[^\\]+\\[^\\]+/.test(p);
}
