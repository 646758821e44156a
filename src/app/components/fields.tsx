/** Labelled form fields: every control has a visible label and works from the keyboard. */
import { useId, useState, type ReactNode } from 'react';
import { Explain } from './explain';

/** The id of a field's explanation, which its control names in aria-describedby. */
export const helpIdOf = (id: string, help: string | undefined) => (help ? `${id}-help` : undefined);

export function Field({
  label,
  hint,
  help,
  children,
  id,
}: {
  label: string;
  hint?: ReactNode;
  /** A plain explanation (the settings table's), behind a "?" disclosure. */
  help?: string;
  children: ReactNode;
  id: string;
}) {
  return (
    <div className="field">
      <div className="field-label">
        <label htmlFor={id}>{label}</label>
        {help ? <Explain label={label} text={help} id={helpIdOf(id, help)} /> : null}
      </div>
      {children}
      {hint ? <div className="hint">{hint}</div> : null}
    </div>
  );
}

/**
 * A whole-number input that keeps what is typed until it is valid, so typing "1" on the way to
 * "120" does not bounce. `allowAll` adds an "all" option (null) for subset sizes.
 */
export function IntegerField(props: {
  label: string;
  value: number | null;
  min: number;
  max: number;
  disabled?: boolean;
  hint?: ReactNode;
  help?: string;
  allowAll?: boolean;
  testId?: string;
  onChange: (v: number | null) => void;
}) {
  const parse = (t: string): number | null | undefined => {
    const s = t.trim().toLowerCase();
    if (props.allowAll && (s === 'all' || s === '')) return null;
    const n = Number(s);
    return s !== '' && Number.isInteger(n) && n >= props.min && n <= props.max ? n : undefined;
  };
  return (
    <DraftField
      {...props}
      shown={props.value === null ? 'all' : String(props.value)}
      inputMode="numeric"
      parse={parse}
      expected={`a whole number from ${props.min} to ${props.max}${props.allowAll ? ', or "all"' : ''}`}
    />
  );
}

export function SliderField(props: {
  label: string;
  value: number;
  min: number;
  max: number;
  step: number;
  disabled?: boolean;
  hint?: ReactNode;
  help?: string;
  testId?: string;
  onChange: (v: number) => void;
}) {
  const id = useId();
  return (
    <Field id={id} label={props.label} hint={props.hint} help={props.help}>
      <div className="slider">
        <input
          id={id}
          data-testid={props.testId}
          aria-describedby={helpIdOf(id, props.help)}
          type="range"
          min={props.min}
          max={props.max}
          step={props.step}
          value={props.value}
          disabled={props.disabled}
          onChange={(e) => props.onChange(Number(e.target.value))}
        />
        <output htmlFor={id}>{Number(props.value.toFixed(3))}</output>
      </div>
    </Field>
  );
}

export function SelectField<T extends string>(props: {
  label: string;
  value: T;
  options: { value: T; label: string }[];
  disabled?: boolean;
  hint?: ReactNode;
  help?: string;
  testId?: string;
  onChange: (v: T) => void;
}) {
  const id = useId();
  return (
    <Field id={id} label={props.label} hint={props.hint} help={props.help}>
      <select
        id={id}
        data-testid={props.testId}
        aria-describedby={helpIdOf(id, props.help)}
        value={props.value}
        disabled={props.disabled}
        onChange={(e) => props.onChange(e.target.value as T)}
      >
        {props.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </Field>
  );
}

/**
 * A number typed as text (for settings with no natural slider range); like IntegerField it keeps
 * what is typed until it is valid, and says what is expected meanwhile.
 */
export function NumberField(props: {
  label: string;
  value: number;
  isValid: (n: number) => boolean;
  /** What a valid value is, in words. */
  expected: string;
  disabled?: boolean;
  hint?: ReactNode;
  help?: string;
  testId?: string;
  onChange: (v: number) => void;
}) {
  const parse = (t: string): number | undefined => {
    const n = Number(t.trim());
    return t.trim() !== '' && props.isValid(n) ? n : undefined;
  };
  return <DraftField {...props} shown={String(props.value)} inputMode="decimal" parse={parse} />;
}

/** Text typed for a value: kept as typed until `parse` reads it, saying meanwhile what is expected. */
function DraftField<T>(props: {
  label: string;
  shown: string;
  inputMode: 'numeric' | 'decimal';
  parse: (text: string) => T | undefined;
  /** What a valid value is, in words. */
  expected: string;
  disabled?: boolean;
  hint?: ReactNode;
  help?: string;
  testId?: string;
  onChange: (v: T) => void;
}) {
  const id = useId();
  const [text, setText] = useDraft(props.shown);
  const invalid = props.parse(text) === undefined;
  return (
    <Field
      id={id}
      label={props.label}
      help={props.help}
      hint={invalid ? <span className="invalid">{props.expected}</span> : props.hint}
    >
      <input
        id={id}
        data-testid={props.testId}
        type="text"
        inputMode={props.inputMode}
        value={text}
        disabled={props.disabled}
        aria-invalid={invalid}
        aria-describedby={helpIdOf(id, props.help)}
        onChange={(e) => {
          setText(e.target.value);
          const v = props.parse(e.target.value);
          if (v !== undefined) props.onChange(v);
        }}
        onBlur={() => setText(props.shown)}
      />
    </Field>
  );
}

/**
 * Short text with a grammar of its own (a ρ schedule): kept as typed until it reads, with the
 * reason it does not read meanwhile. Empty text is a value too ("off").
 */
export function TextField(props: {
  label: string;
  value: string;
  /** What is wrong with the text, or null. */
  problem: (text: string) => string | null;
  disabled?: boolean;
  hint?: ReactNode;
  testId?: string;
  onChange: (v: string) => void;
}) {
  const id = useId();
  const [text, setText] = useDraft(props.value);
  const problem = props.problem(text.trim());
  return (
    <Field id={id} label={props.label} hint={problem ? <span className="invalid">{problem}</span> : props.hint}>
      <input
        id={id}
        data-testid={props.testId}
        type="text"
        spellCheck={false}
        value={text}
        disabled={props.disabled}
        aria-invalid={problem !== null}
        onChange={(e) => {
          setText(e.target.value);
          if (props.problem(e.target.value.trim()) === null) props.onChange(e.target.value.trim());
        }}
        onBlur={() => setText(props.value)}
      />
    </Field>
  );
}

export function CheckField(props: {
  label: string;
  value: boolean;
  disabled?: boolean;
  hint?: ReactNode;
  help?: string;
  testId?: string;
  onChange: (v: boolean) => void;
}) {
  const id = useId();
  return (
    <div className="field">
      <label className="check">
        <input
          type="checkbox"
          data-testid={props.testId}
          aria-describedby={helpIdOf(id, props.help)}
          checked={props.value}
          disabled={props.disabled}
          onChange={(e) => props.onChange(e.target.checked)}
        />
        {props.label}
      </label>
      {props.help ? <Explain label={props.label} text={props.help} id={helpIdOf(id, props.help)} /> : null}
      {props.hint ? <div className="hint">{props.hint}</div> : null}
    </div>
  );
}

/**
 * The text typed in a field: follows the value when it changes from outside (another control,
 * the URL), set during render rather than in an effect so that no stale frame is drawn.
 */
function useDraft(shown: string): [string, (text: string) => void] {
  const [text, setText] = useState(shown);
  const [lastShown, setLastShown] = useState(shown);
  if (shown !== lastShown) {
    setLastShown(shown);
    setText(shown);
  }
  return [text, setText];
}
