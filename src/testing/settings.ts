/** Values for tests that loop over the settings table: a valid value other than a default, and a bad one. */
import type { Setting } from '../experiment/setting';

/** A valid value of the setting that differs from `current`. */
export function otherValue(s: Setting, current: unknown): unknown {
  switch (s.kind) {
    case 'integer': {
      if (current === null) return s.min;
      const n = current as number;
      return n < s.max ? n + 1 : n - 1;
    }
    case 'number': {
      // Half-way to the upper bound (or one more), rounded so that it reads back from a URL exactly.
      const n = current as number;
      return Number((s.max === Infinity ? n + 1 : n < s.max ? (n + s.max) / 2 : (n + s.min) / 2).toPrecision(3));
    }
    case 'choice':
      return s.choices.find((c) => c.value !== current)!.value;
    case 'boolean':
      return !current;
    case 'text':
      return current === s.example ? '' : s.example;
  }
}

/** A value of the right type outside the bounds (or not among the choices). */
export function badValue(s: Setting): unknown {
  switch (s.kind) {
    case 'integer':
      return s.max + 1;
    case 'number':
      return s.max === Infinity ? (s.minExclusive ? s.min : s.min - 1) : s.max + 1;
    case 'choice':
      return 'nonsense';
    case 'boolean':
      return 'maybe';
    case 'text':
      return 'nonsense';
  }
}

/** How a person types a value on the command line. */
export const cliText = (value: unknown): string => (value === null ? 'all' : String(value));
