/**
 * Explanations a keyboard and a screen reader reach: a small "?" disclosure button that shows a
 * setting's or a metric's plain explanation (from the settings table or the metrics table), and
 * an id that controls can name in aria-describedby. Never hover-only.
 */
import { useId, useState } from 'react';
import { metricById, type MetricId } from '../../experiment/metrics-table';

/** The "?" button and, when open, the text; the text stays in the page (hidden) for aria-describedby. */
export function Explain({
  label,
  text,
  id,
  formula,
}: {
  label: string;
  text: string;
  /** The text's id, for a control's aria-describedby; generated when not given. */
  id?: string;
  formula?: string;
}) {
  const generated = useId();
  const textId = id ?? `${generated}-explain`;
  const [open, setOpen] = useState(false);
  return (
    <>
      <button
        type="button"
        className="explain-button"
        aria-expanded={open}
        aria-controls={textId}
        aria-label={`About ${label}`}
        data-testid="explain-button"
        onClick={() => setOpen(!open)}
      >
        ?
      </button>
      <span id={textId} className="explain-text" hidden={!open} data-testid="explain-text">
        {formula ? (
          <>
            <span className="formula">{formula}</span>{' '}
          </>
        ) : null}
        {text}
      </span>
    </>
  );
}

/** A metric's explanation from the metrics table. */
export function MetricExplain({ metric, label }: { metric: MetricId; label?: string }) {
  const m = metricById(metric);
  return <Explain label={label ?? m.label} text={m.help} formula={m.formula} />;
}
