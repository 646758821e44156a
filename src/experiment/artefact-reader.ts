/**
 * Reading a stored document field by field: every check names the document and the field
 * ("runs/x/checkpoint.json: population[0].layers[2].weights is not base64"), so a damaged file
 * gets one clear message instead of a crash later. artefacts.ts builds the schemas from these.
 */

/** Every problem with a stored artefact (checkpoint, run.json, config file, export, saved session). */
export class ArtefactError extends Error {
  override readonly name = 'ArtefactError';

  constructor(
    /** The file or session as the person knows it: `runs/x/checkpoint.json`, `saved session k3f9`. */
    readonly source: string,
    /** Where in it, as a path: `population[0].layers[2].weights`; '' for the document as a whole. */
    readonly field: string,
    /** What is wrong, without the source or the advice. */
    readonly problem: string,
    /** What to do about it. */
    readonly hint = '',
  ) {
    super(`${source}: ${field ? `${field} ` : ''}${problem}${hint ? `. ${hint}` : ''}`);
  }

  /** The same problem with other advice (the caller knows what the person can do). */
  withHint(hint: string): ArtefactError {
    return new ArtefactError(this.source, this.field, this.problem, hint);
  }
}

export type Json = Record<string, unknown>;

/** A value as a message shows it: short, and never the whole of a large field. */
export function shown(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (typeof v === 'number') return Number.isNaN(v) ? 'NaN' : String(v);
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 37)}…` : v);
  if (Array.isArray(v)) return `a list of ${v.length}`;
  if (ArrayBuffer.isView(v)) return `binary data`;
  if (v && typeof v === 'object') return 'an object';
  return JSON.stringify(v);
}

export const child = (path: string, key: string | number): string =>
  typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key;

export interface NumberRule {
  min?: number;
  max?: number;
  integer?: boolean;
  /** JSON writes Infinity and NaN as null: where null stands for a number (an infinite efficiency). */
  nullAs?: number;
}

export class Reader {
  constructor(readonly source: string) {}

  fail(field: string, problem: string, hint = ''): never {
    throw new ArtefactError(this.source, field, problem, hint);
  }

  object(v: unknown, field: string): Json {
    if (v === undefined) this.fail(field, 'is missing');
    if (!v || typeof v !== 'object' || Array.isArray(v) || ArrayBuffer.isView(v))
      this.fail(field, `must be an object (got ${shown(v)})`);
    return v as Json;
  }

  array(v: unknown, field: string, { min = 0, max = Infinity } = {}): unknown[] {
    if (v === undefined) this.fail(field, 'is missing');
    if (!Array.isArray(v)) this.fail(field, `must be a list (got ${shown(v)})`);
    if (v.length < min) this.fail(field, min === 1 ? 'is empty' : `must hold at least ${min} items (got ${v.length})`);
    if (v.length > max) this.fail(field, `must hold at most ${max} items (got ${v.length})`);
    return v;
  }

  number(v: unknown, field: string, rule: NumberRule = {}): number {
    if (v === undefined) this.fail(field, 'is missing');
    if (v === null && rule.nullAs !== undefined) return rule.nullAs;
    const { min = -Infinity, max = Infinity, integer = false } = rule;
    const what = `${integer ? 'a whole number' : 'a number'}${rangeText(min, max)}`;
    if (typeof v !== 'number' || !Number.isFinite(v) || (integer && !Number.isInteger(v)) || v < min || v > max)
      this.fail(field, `must be ${what} (got ${shown(v)})`);
    return v;
  }

  string(v: unknown, field: string, { nonEmpty = false, max = 10_000 } = {}): string {
    if (v === undefined) this.fail(field, 'is missing');
    if (typeof v !== 'string') this.fail(field, `must be text (got ${shown(v)})`);
    if (nonEmpty && !v.trim()) this.fail(field, 'is empty');
    if (v.length > max) this.fail(field, `is too long (${v.length} characters, at most ${max})`);
    return v;
  }

  boolean(v: unknown, field: string): boolean {
    if (v === undefined) this.fail(field, 'is missing');
    if (typeof v !== 'boolean') this.fail(field, `must be true or false (got ${shown(v)})`);
    return v;
  }

  oneOf<T extends string>(v: unknown, field: string, choices: readonly T[]): T {
    if (v === undefined) this.fail(field, 'is missing');
    if (!choices.includes(v as T)) this.fail(field, `must be one of ${choices.join(', ')} (got ${shown(v)})`);
    return v as T;
  }

  /** A field that may be absent (older documents) or null. */
  optional<T>(v: unknown, read: (v: unknown) => T): T | undefined {
    return v === undefined || v === null ? undefined : read(v);
  }
}

function rangeText(min: number, max: number): string {
  if (min === -Infinity && max === Infinity) return '';
  if (max === Infinity) return min === 0 ? ' ≥ 0' : ` ≥ ${min}`;
  if (min === -Infinity) return ` ≤ ${max}`;
  return ` from ${min} to ${max}`;
}

/**
 * JSON text → a value, or an ArtefactError that says where the text stops being JSON and whether
 * the file looks cut short (the usual damage: a copy or a write interrupted).
 */
export function parseJsonText(text: string, source: string): unknown {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (!body.trim()) throw new ArtefactError(source, '', 'is empty', 'Was the file cut short or never written?');
  if (body.includes('\u0000'))
    throw new ArtefactError(source, '', 'is not JSON text (it holds binary data)', 'Is this the right file?');
  try {
    return JSON.parse(body);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const at = /position (\d+)/.exec(message);
    if (
      /end of (JSON )?input|Unterminated|Unexpected end/i.test(message) ||
      (at && Number(at[1]) >= body.trimEnd().length)
    )
      throw new ArtefactError(source, '', 'is not complete JSON: it ends too early', 'Was the file cut short?');
    const where = at ? ` at ${lineAndColumn(body, Number(at[1]))}` : '';
    throw new ArtefactError(source, '', `is not valid JSON${where}`, 'Is this the right file?');
  }
}

function lineAndColumn(text: string, position: number): string {
  const before = text.slice(0, position);
  const line = before.split('\n').length;
  return `line ${line}, column ${position - before.lastIndexOf('\n')}`;
}

/** The closest of `names` to `name` (for "did you mean"), when it is close enough to be a slip. */
export function closest(name: string, names: readonly string[]): string | null {
  const wanted = name.toLowerCase();
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const n of names) {
    const d = editDistance(wanted, n.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [n, d];
  }
  if (best !== null && bestDistance <= Math.max(1, Math.round(wanted.length * 0.4))) return best;
  // A shortened or extended name: --gen for --generations, --out-dir for --out.
  const stem = names.find(
    (n) => wanted.length >= 3 && (n.toLowerCase().startsWith(wanted) || wanted.startsWith(n.toLowerCase())),
  );
  return stem ?? null;
}

/** Edits (insert, delete, replace, swap two neighbours) that turn a into b: "roh" is one from "rho". */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.length][b.length];
}
