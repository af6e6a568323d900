// The peers come from Debian's packages: installed with apt when missing (as root or with sudo).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const PEERS = [
  { binary: '/usr/bin/rclone', pkg: 'rclone' },
  { binary: '/usr/bin/aws', pkg: 'awscli' },
  { binary: '/usr/bin/time', pkg: 'time' },
];

export function ensurePeersInstalled(): void {
  const missing = PEERS.filter((p) => !existsSync(p.binary)).map((p) => p.pkg);
  if (missing.length === 0) return;
  const root = process.getuid?.() === 0;
  const sudo = root ? [] : ['sudo', '-E'];
  if (!root && spawnSync('sudo', ['-n', 'true']).status !== 0) {
    throw new Error(`the benchmark needs ${missing.join(', ')}: install them with \`sudo apt-get install -y ${missing.join(' ')}\``);
  }
  console.log(`[bench] installing ${missing.join(', ')} with apt…`);
  const run = (args: string[]) => {
    const [cmd, ...rest] = [...sudo, ...args];
    execFileSync(cmd!, rest, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  };
  run(['apt-get', 'update', '-q']);
  run(['apt-get', 'install', '-y', '-q', '--no-install-recommends', ...missing]);
}
