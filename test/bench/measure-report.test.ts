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
});
