// The bench measures each tool's own CPU time and reports it per object beside the wall time.
import { describe, expect, it } from 'vitest';
import { measure } from '../../bench/lib/measure';
import { renderReport } from '../../bench/lib/report';

describe('bench measurement and report', () => {
  it('measures the CPU a command spends, not the time it waits', async () => {
    // A fixed amount of work (not a time), so a busy machine cannot make it smaller.
    const busy = await measure(process.execPath, ['-e', "require('node:crypto').pbkdf2Sync('a', 'b', 3000000, 32, 'sha256')"], process.env, 'busy');
    const idle = await measure(process.execPath, ['-e', 'setTimeout(() => {}, 400)'], process.env, 'idle');
    expect(busy.cpuSeconds - idle.cpuSeconds).toBeGreaterThanOrEqual(0.3); // ≈ 0.6 s of hashing on top of starting node
    expect(idle.seconds).toBeGreaterThanOrEqual(0.4);
  });

  it('reports CPU per object, and a dash for rows measured before the bench recorded it', () => {
    const { markdown } = renderReport(
      [
        { workload: 'local→s3, small, cold', objects: 5000, bytes: 1, tools: [{ tool: 'cloud-data-sync', medianSeconds: 10, medianPeakRssMb: 100, medianCpuMsPerObject: 1.234, oursOverPeer: null, runs: [10] }] },
        { workload: 'old row', objects: 5000, bytes: 1, tools: [{ tool: 'rclone', medianSeconds: 20, medianPeakRssMb: 50, oursOverPeer: 0.5, runs: [20] }] },
      ],
      { date: '2026-11-27', machine: 'test', reps: 1, command: 'npm run bench' },
    );
    expect(markdown).toContain('| local→s3, small, cold | cloud-data-sync | 10.00 s | 1 | 1.23 ms | 100 MB |  |');
    expect(markdown).toContain('| old row | rclone | 20.00 s | 1 | — | 50 MB | 0.50 (2.0× faster) |');
  });

  it('reports the startup of --version beside a bare node start', () => {
    const { markdown, json } = renderReport([], { date: '2026-11-27', machine: 'test', reps: 1, command: 'npm run bench' }, undefined, { versionSeconds: 0.1434, bareNodeSeconds: 0.1041, runs: 15 });
    expect(markdown).toContain('`cloud-data-sync --version` (the bin, running the built bundle): **0.143 s**, median of 15; a bare `node -e 0` measured alternately with it: 0.104 s.');
    expect(json).toMatchObject({ startup: { versionSeconds: 0.1434, runs: 15 } });
  });

  it('judges each target from the rows present: met, missed, and none for a row not measured', () => {
    const tool = (name: string, seconds: number, ratio: number | null, cpu?: number, rss = 100) => ({ tool: name, medianSeconds: seconds, medianPeakRssMb: rss, medianCpuMsPerObject: cpu, oursOverPeer: ratio, runs: [seconds] });
    const { markdown } = renderReport(
      [
        { workload: 'local→s3, small, cold', objects: 5000, bytes: 1, tools: [tool('cloud-data-sync', 8, null, 1.49), tool('rclone', 14, 0.57), tool('rclone tuned', 12, 0.66)] },
        { workload: 'local→s3, small, no change', objects: 5000, bytes: 1, tools: [tool('cloud-data-sync', 2.8, null), tool('rclone', 13, 0.21), tool('rclone tuned', 3, 0.9)] },
        { workload: 'local→s3 (20 ms RTT), small, cold', rttMs: 20, objects: 5000, bytes: 1, tools: [tool('cloud-data-sync', 11, null), tool('rclone', 64, 0.18), tool('rclone tuned', 18, 0.63)] },
        { workload: 's3→azure, large, cold', objects: 20, bytes: 1, tools: [tool('cloud-data-sync', 3.6, null, undefined, 250), tool('rclone', 3.7, 0.97)] },
      ],
      { date: '2026-11-28', machine: 'test', reps: 1, command: 'npm run bench' },
      undefined,
      { versionSeconds: 0.144, bareNodeSeconds: 0.11, runs: 15 },
    );
    expect(markdown).toContain('| local→s3, small, cold: ≥ 1.3× rclone tuned | 0.66 vs rclone tuned | met |');
    expect(markdown).toContain('| local→s3, small, cold: client CPU ≤ 1.0 ms per object | 1.49 ms | **missed** |');
    expect(markdown).toContain('| local→s3, small, no change: ≥ 5.0× rclone, ≥ 1.0× rclone tuned | 0.21 vs rclone, 0.90 vs rclone tuned | **missed** |');
    expect(markdown).toContain('| local→s3 (20 ms RTT), small, cold: ≥ 3.0× rclone, ≥ 1.3× rclone tuned | 0.18 vs rclone, 0.63 vs rclone tuned | met |');
    expect(markdown).toContain('| s3→azure, large, cold: ≥ 1.0× rclone, peak RSS < 200 MB | 0.97 vs rclone; 250 MB | **missed** |');
    expect(markdown).toContain('| `cloud-data-sync --version` ≤ 0.15 s | 0.144 s | met |');
    expect(markdown).not.toContain('s3→azure, small, no change:'); // not measured: not judged
  });
});
