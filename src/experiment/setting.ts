/**
 * What one row of the settings table (settings-table.ts) is, and what every reader of the table
 * needs: read and write a value by its path, check it, parse it from text and write it as text.
 */
import type { DatasetName } from './config';

export interface Choice<V extends string = string> {
  readonly value: V;
  /** What the form's drop-down shows. */
  readonly label: string;
}

/** How the lab's form shows a setting; a setting without it is not in the lab. */
export interface LabHints {
  /** Advanced settings sit under their group's "Advanced" disclosure. */
  readonly level: 'basic' | 'advanced';
  /** The input's data-testid; the CLI flag unless given. */
  readonly testId?: string;
  /** The form's label when the form gives context the table's label spells out. */
  readonly label?: string;
  /** A short note under the field. */
  readonly hint?: string;
  /** A slider over this range (numbers only); without it, a text box. */
  readonly slider?: { readonly min: number; readonly max: number; readonly step: number };
  /** The lab's default where it differs from the run configuration's (the browser-sized subsets). */
  readonly default?: (dataset: DatasetName) => number | null;
  /** The mating weights live under LabSetup.mating, linked across levels; the rest at its top level. */
  readonly group?: 'mating';
}

interface Common {
  /** Its name in code; the LabSetup field when the lab shows it. */
  readonly id: string;
  /** Where it lives in RunConfig, dotted; a number picks a list element (mating.cluster.0). */
  readonly path: string;
  /** Short, as the form shows it and messages name it. */
  readonly label: string;
  /** One or two plain sentences for a student: what it does and what changing it does. */
  readonly help: string;
  /** Its key in the lab's URL; absent: not in the lab's URL. */
  readonly url?: string;
  /** Its `npm run evolve` flag, without the dashes; absent: config file only. */
  readonly cli?: string;
  /** May change while a run goes (it applies from the next generation). */
  readonly live: boolean;
  readonly lab?: LabHints;
  /** The default of a list element whose list defaults to null (mating weights: equal shares). */
  readonly default?: number;
}

export interface IntegerSetting extends Common {
  readonly kind: 'integer';
  readonly min: number;
  readonly max: number;
  /** "all" (null) is allowed too: a subset size that can be the whole set. */
  readonly all?: boolean;
}

export interface NumberSetting extends Common {
  readonly kind: 'number';
  readonly min: number;
  /** Infinity: no upper bound (but finite). */
  readonly max: number;
  readonly minExclusive?: boolean;
}

export interface ChoiceSetting extends Common {
  readonly kind: 'choice';
  readonly choices: readonly Choice[];
}

export interface BooleanSetting extends Common {
  readonly kind: 'boolean';
}

/** Short text with a grammar of its own (a ρ schedule); the empty text is "off". */
export interface TextSetting extends Common {
  readonly kind: 'text';
  /** What a valid value looks like, in words, with examples. */
  readonly format: string;
  /** A valid value other than the default, for --help and tests. */
  readonly example: string;
  /** What is wrong with a value's text, or null when it reads. */
  readonly check: (text: string) => string | null;
}

export type Setting = IntegerSetting | NumberSetting | ChoiceSetting | BooleanSetting | TextSetting;

/** The value type a row describes. */
export type SettingValue<S> = S extends { kind: 'integer'; all: true }
  ? number | null
  : S extends { kind: 'integer' | 'number' }
    ? number
    : S extends { kind: 'choice'; choices: readonly (infer C)[] }
      ? C extends { value: infer V }
        ? V
        : never
      : S extends { kind: 'boolean' }
        ? boolean
        : S extends { kind: 'text' }
          ? string
          : never;

const segments = (path: string) => path.split('.').map((k) => (/^\d+$/.test(k) ? Number(k) : k));

/** The value at a dotted path, or undefined when any step is missing. */
export function getPath(obj: unknown, path: string): unknown {
  let at: unknown = obj;
  for (const key of segments(path)) {
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Record<string | number, unknown>)[key];
  }
  return at;
}

/** Sets the value at a dotted path, creating the objects (or, before a number, lists) on the way. */
export function setPath(obj: object, path: string, value: unknown): void {
  const keys = segments(path);
  let at = obj as Record<string | number, unknown>;
  keys.slice(0, -1).forEach((key, i) => {
    const next = at[key];
    if (next === null || typeof next !== 'object') at[key] = typeof keys[i + 1] === 'number' ? [] : {};
    at = at[key] as Record<string | number, unknown>;
  });
  at[keys[keys.length - 1]] = value;
}

const show = (x: unknown): string =>
  x === undefined ? 'nothing' : typeof x === 'number' ? String(x) : JSON.stringify(x);

/** What a valid value is, in words: "a whole number from 1 to 200", "one of cap, target, constant". */
export function allowedText(s: Setting): string {
  switch (s.kind) {
    case 'integer':
      return `a whole number from ${s.min} to ${s.max}${s.all ? ', or all' : ''}`;
    case 'number': {
      const low = s.minExclusive ? `more than ${s.min}` : `at least ${s.min}`;
      if (s.max === Infinity) return low;
      return s.minExclusive ? `${low} and at most ${s.max}` : `between ${s.min} and ${s.max}`;
    }
    case 'choice':
      return `one of ${s.choices.map((c) => c.value).join(', ')}`;
    case 'boolean':
      return 'true or false';
    case 'text':
      return s.format;
  }
}

export function isAllowed(s: Setting, v: unknown): boolean {
  switch (s.kind) {
    case 'integer':
      return (s.all && v === null) || (typeof v === 'number' && Number.isInteger(v) && v >= s.min && v <= s.max);
    case 'number':
      return typeof v === 'number' && Number.isFinite(v) && (s.minExclusive ? v > s.min : v >= s.min) && v <= s.max;
    case 'choice':
      return s.choices.some((c) => c.value === v);
    case 'boolean':
      return typeof v === 'boolean';
    case 'text':
      return typeof v === 'string' && s.check(v) === null;
  }
}

/** The problem with a value, in the person's words ("Generations must be … (got 0)"), or null. */
export function settingProblem(s: Setting, v: unknown): string | null {
  if (isAllowed(s, v)) return null;
  const problem = `${s.label} must be ${allowedText(s)} (got ${show(v)})`;
  // Text has a grammar: say where it went wrong too.
  return s.kind === 'text' && typeof v === 'string' ? `${problem}: ${s.check(v)}` : problem;
}

export type Parsed = { ok: true; value: number | string | boolean | null } | { ok: false; reason: string };

/**
 * Text (a URL value, a CLI argument) → a value of the setting's kind. Only the form is checked
 * here (a number is a number); the bounds (and a text setting's grammar) are validation's job,
 * which names the setting.
 */
export function parseSettingText(s: Setting, raw: string): Parsed {
  const text = raw.trim();
  switch (s.kind) {
    case 'integer':
    case 'number': {
      if (s.kind === 'integer' && s.all && text.toLowerCase() === 'all') return { ok: true, value: null };
      const n = Number(text);
      if (s.kind === 'number' && (text === '' || !Number.isFinite(n))) return { ok: false, reason: 'is not a number' };
      if (s.kind === 'integer' && (text === '' || !Number.isInteger(n)))
        return { ok: false, reason: `is not a whole number${s.all ? ' (or "all")' : ''}` };
      return { ok: true, value: n };
    }
    case 'choice':
      return s.choices.some((c) => c.value === text)
        ? { ok: true, value: text }
        : { ok: false, reason: `must be one of ${s.choices.map((c) => c.value).join(', ')}` };
    case 'boolean': {
      const b = { true: true, yes: true, on: true, '1': true, false: false, no: false, off: false, '0': false }[
        text.toLowerCase()
      ];
      return b === undefined ? { ok: false, reason: 'must be true or false (or 1 or 0)' } : { ok: true, value: b };
    }
    case 'text':
      return { ok: true, value: text };
  }
}

/** A value as short text that parseSettingText reads back: 6 significant digits, "all", 1/0, text as it is. */
export function settingText(value: unknown): string {
  if (value === null) return 'all';
  if (typeof value === 'number') return String(Number(value.toPrecision(6)));
  if (typeof value === 'boolean') return value ? '1' : '0';
  return String(value);
}
