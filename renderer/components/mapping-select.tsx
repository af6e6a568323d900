import { useAppStore } from '../store';

/** Chooses which mapping a view (History, Logs) shows. */
export function MappingSelect({ value, onChange }: { value: string | null; onChange: (mappingId: string) => void }) {
  const mappings = useAppStore((s) => s.mappings);
  return (
    <label className="inline-field">
      <span>Mapping</span>
      <select className="input" value={value ?? ''} onChange={(e) => onChange(e.target.value)}>
        {value === null && (
          <option value="" disabled>
            Choose a mapping
          </option>
        )}
        {mappings.map((m) => (
          <option key={m.id} value={m.id}>
            {m.name}
          </option>
        ))}
      </select>
    </label>
  );
}
