// A small line chart of throughput over the last minute: plain SVG, scaled to the largest sample.
import { formatRate } from '../format';
import { THROUGHPUT_WINDOW_MS, type ThroughputSample } from '../store/activity-slice';

export interface ThroughputChartProps {
  samples: readonly ThroughputSample[];
  now: number;
  label: string;
  width?: number;
  height?: number;
}

export function ThroughputChart({ samples, now, label, width = 240, height = 56 }: ThroughputChartProps) {
  const max = Math.max(1, ...samples.map((s) => s.bytesPerSecond));
  // The clock ticks once a second while samples come ~4 times a second: the right edge is whichever is later.
  const right = Math.max(now, samples[samples.length - 1]?.t ?? now);
  const x = (t: number) => width - ((right - t) / THROUGHPUT_WINDOW_MS) * width;
  const y = (v: number) => height - 2 - (v / max) * (height - 4);
  const visible = samples.filter((s) => right - s.t <= THROUGHPUT_WINDOW_MS);
  const points = visible.map((s) => `${x(s.t).toFixed(1)},${y(s.bytesPerSecond).toFixed(1)}`).join(' ');
  const area = visible.length > 1 ? `${x(visible[0]!.t).toFixed(1)},${height} ${points} ${x(visible[visible.length - 1]!.t).toFixed(1)},${height}` : '';
  const latest = visible[visible.length - 1]?.bytesPerSecond ?? 0;
  return (
    <figure className="chart">
      <svg width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img" aria-label={`${label}: ${formatRate(latest)} now, peak ${formatRate(max === 1 ? 0 : max)} in the last minute`}>
        <line className="chart-grid" x1={0} x2={width} y1={height - 1} y2={height - 1} />
        <line className="chart-grid" x1={0} x2={width} y1={height / 2} y2={height / 2} />
        {area && <polygon className="chart-area" points={area} />}
        {visible.length > 1 && <polyline className="chart-line" points={points} />}
      </svg>
      <figcaption className="chart-caption">
        <span>60 s</span>
        <span>peak {formatRate(max === 1 ? 0 : max)}</span>
      </figcaption>
    </figure>
  );
}
