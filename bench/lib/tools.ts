// The sync tools compared: this project's CLI and its peers, each as a command line for one
// source → target pair. Endpoints are loopback test servers only.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { BUNDLED_CLI } from './build-cli';

export type Side =
  | { kind: 'local'; root: string; bucket: string }
  | { kind: 's3'; endpoint: string; accessKeyId: string; secretAccessKey: string; bucket: string }
  | { kind: 'azure'; endpointUrl: string; accountName: string; accountKey: string; sasUrl: string; bucket: string };

export interface Invocation {
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
}

export interface Tool {
  name: string;
  supports(source: Side, target: Side): boolean;
  /** `stateDir` persists between the runs of one (workload, repetition): cold, then re-syncs. */
  invocation(source: Side, target: Side, stateDir: string): Promise<Invocation>;
}

/** The peers must not inherit settings that change their behaviour (rclone 1.60's S3 backend fails with AWS_CA_BUNDLE set). */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  delete env.AWS_CA_BUNDLE;
  delete env.AWS_PROFILE;
  return env;
}

const ours: Tool = {
  name: 'cloud-data-sync',
  supports: () => true,
  async invocation(source, target, stateDir) {
    const provider = (id: string, side: Side) =>
      side.kind === 'local'
        ? { id, type: 'local', local: { root: side.root } }
        : side.kind === 's3'
          ? { id, type: 'aws', aws: { region: 'us-east-1', endpoint: side.endpoint, accessKeyId: side.accessKeyId, secretAccessKey: side.secretAccessKey } }
          : { id, type: 'azure', azure: { accountName: side.accountName, accountKey: side.accountKey, endpointUrl: side.endpointUrl } };
    const same = source.kind === target.kind && source.kind !== 'local';
    const config = {
      databasePath: path.join(stateDir, 'state.db'),
      providers: same ? [provider('src', source)] : [provider('src', source), provider('dst', target)],
      mappings: [{ sourceProviderId: 'src', sourceBucket: source.bucket, targetProviderId: same ? 'src' : 'dst', targetBucket: target.bucket }],
    };
    const file = path.join(stateDir, 'config.json');
    await writeFile(file, JSON.stringify(config));
    return { command: process.execPath, args: [BUNDLED_CLI, '--config', file, '--once', '--log-level', 'warn'], env: { ...process.env } };
  },
};

function rcloneRemote(side: Side, name: string, env: Record<string, string>): string {
  if (side.kind === 'local') return path.join(side.root, side.bucket);
  const prefix = `RCLONE_CONFIG_${name.toUpperCase()}_`;
  if (side.kind === 's3') {
    Object.assign(env, {
      [`${prefix}TYPE`]: 's3', [`${prefix}PROVIDER`]: 'Other', [`${prefix}ENDPOINT`]: side.endpoint,
      [`${prefix}ACCESS_KEY_ID`]: side.accessKeyId, [`${prefix}SECRET_ACCESS_KEY`]: side.secretAccessKey,
      [`${prefix}FORCE_PATH_STYLE`]: 'true', [`${prefix}REGION`]: 'us-east-1',
    });
  } else {
    // rclone's emulator mode is fixed to port 10000; an account SAS URL reaches Azurite on any port.
    Object.assign(env, { [`${prefix}TYPE`]: 'azureblob', [`${prefix}SAS_URL`]: side.sasUrl });
  }
  return `${name}:${side.bucket}`;
}

function rclone(name: string, flags: string[]): Tool {
  return {
    name,
    supports: () => true,
    async invocation(source, target) {
      const env: Record<string, string> = { RCLONE_CONFIG: '/dev/null' };
      const src = rcloneRemote(source, 'src', env);
      const dst = source.kind === target.kind && source.kind !== 'local' ? `src:${target.bucket}` : rcloneRemote(target, 'dst', env);
      return { command: 'rclone', args: ['sync', src, dst, ...flags], env: cleanEnv(env) };
    },
  };
}

const awsCli: Tool = {
  name: 'aws s3 sync',
  supports: (source, target) => target.kind === 's3' && source.kind !== 'azure',
  async invocation(source, target) {
    if (target.kind !== 's3') throw new Error('aws s3 sync only targets S3');
    const src = source.kind === 'local' ? path.join(source.root, source.bucket) : `s3://${source.bucket}`;
    return {
      command: '/usr/bin/aws',
      args: ['s3', 'sync', src, `s3://${target.bucket}`, '--endpoint-url', target.endpoint, '--only-show-errors', '--delete'],
      env: cleanEnv({ AWS_ACCESS_KEY_ID: target.accessKeyId, AWS_SECRET_ACCESS_KEY: target.secretAccessKey, AWS_DEFAULT_REGION: 'us-east-1' }),
    };
  },
};

export const TOOLS: readonly Tool[] = [
  ours,
  rclone('rclone', []),
  rclone('rclone tuned', ['--fast-list', '--checksum', '--transfers', '16']),
  awsCli,
];
