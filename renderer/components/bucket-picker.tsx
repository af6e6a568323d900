// Picks a bucket of a connection from its live bucket list, or takes a typed name (a bucket that
// does not exist yet, or a list the credentials may not read).
import { useEffect, useState } from 'react';
import { useAppStore } from '../store';
import { Field } from './field';

const OTHER = '\u0000other';

export interface BucketPickerProps {
  /** "Source" or "Target": names the controls. */
  side: string;
  connectionId: string;
  value: string;
  onChange: (bucket: string) => void;
  error?: string | null;
}

export function BucketPicker({ side, connectionId, value, onChange, error }: BucketPickerProps) {
  const list = useAppStore((s) => (connectionId ? s.buckets[connectionId] : undefined));
  const loadBuckets = useAppStore((s) => s.loadBuckets);
  const [typing, setTyping] = useState(false);

  useEffect(() => {
    if (connectionId) void loadBuckets(connectionId);
  }, [connectionId, loadBuckets]);

  const names = list?.names ?? [];
  const listed = list?.status === 'ready' && names.length > 0;
  // A value the list does not have (typed earlier, or a bucket not created yet) shows as typed.
  const showInput = !listed || typing || (value !== '' && !names.includes(value));

  const help =
    list?.status === 'error'
      ? `The bucket list could not be read (${list.error}). Type the bucket name.`
      : list?.status === 'ready' && names.length === 0
        ? 'This connection has no buckets yet: type the name of one to use.'
        : undefined;

  return (
    <div className="bucket-picker">
      <Field label={`${side} bucket`} error={error} required help={help}>
        {(control) =>
          showInput && list?.status !== 'loading' ? (
            <input
              {...control}
              className="input"
              value={value}
              placeholder="bucket-name"
              autoComplete="off"
              spellCheck={false}
              onChange={(e) => onChange(e.target.value)}
            />
          ) : (
            <select
              {...control}
              className="input"
              value={list?.status === 'loading' ? '' : value}
              disabled={!connectionId || list?.status === 'loading'}
              onChange={(e) => {
                if (e.target.value === OTHER) {
                  setTyping(true);
                  onChange('');
                } else {
                  onChange(e.target.value);
                }
              }}
            >
              <option value="" disabled>
                {list?.status === 'loading' ? 'Loading buckets…' : 'Choose a bucket'}
              </option>
              {names.map((name) => (
                <option key={name} value={name}>
                  {name}
                </option>
              ))}
              <option value={OTHER}>Another name…</option>
            </select>
          )
        }
      </Field>
      <div className="bucket-picker-actions">
        {listed && showInput && (
          <button type="button" className="button-small button-ghost" onClick={() => { setTyping(false); onChange(''); }} aria-label={`Choose ${side.toLowerCase()} bucket from the list`}>
            Choose from list
          </button>
        )}
        <button
          type="button"
          className="button-small button-ghost"
          disabled={!connectionId || list?.status === 'loading'}
          onClick={() => void loadBuckets(connectionId, true)}
          aria-label={`Reload list of ${side.toLowerCase()} buckets`}
        >
          Reload list
        </button>
      </div>
    </div>
  );
}
