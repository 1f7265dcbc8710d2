import { RANGE_IDS, type RangeId } from './time-range';

export interface TimeRangeValue {
  range: RangeId;
  from: string;
  to: string;
}

export interface TimeRangeLabels {
  range: string;
  from: string;
  to: string;
  options: Record<RangeId, string>;
}

/** The log pages' time filter: a preset, or from/to (UTC) when `custom`. Labels come from the page's catalogue. */
export function TimeRangeFields({ labels, value, onChange }: { labels: TimeRangeLabels; value: TimeRangeValue; onChange: (value: TimeRangeValue) => void }) {
  return (
    <>
      <label>
        <span>{labels.range}</span>
        <select name="range" value={value.range} onChange={(event) => onChange({ ...value, range: event.target.value as RangeId })}>
          {RANGE_IDS.map((id) => (
            <option key={id} value={id}>
              {labels.options[id]}
            </option>
          ))}
        </select>
      </label>
      {value.range === 'custom' ? (
        <>
          <label>
            <span>{labels.from}</span>
            <input type="datetime-local" name="from" value={value.from} onChange={(event) => onChange({ ...value, from: event.target.value })} />
          </label>
          <label>
            <span>{labels.to}</span>
            <input type="datetime-local" name="to" value={value.to} onChange={(event) => onChange({ ...value, to: event.target.value })} />
          </label>
        </>
      ) : null}
    </>
  );
}
