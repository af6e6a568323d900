import { percent } from '../format';

export interface ProgressBarProps {
  label: string;
  done: number;
  total: number;
  /** Totals still growing (listing not finished): no percentage is claimed. */
  indeterminate?: boolean;
  /** Read by screen readers instead of the percentage, e.g. "12 of 40 objects". */
  valueText?: string;
  size?: 'normal' | 'small';
}

export function ProgressBar({ label, done, total, indeterminate = false, valueText, size = 'normal' }: ProgressBarProps) {
  const value = percent(done, total);
  return (
    <div
      className={`progress progress-${size} ${indeterminate ? 'progress-indeterminate' : ''}`}
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={indeterminate ? undefined : Math.round(value)}
      aria-valuetext={valueText}
    >
      <div className="progress-fill" style={{ width: indeterminate ? undefined : `${value}%` }} />
    </div>
  );
}
