/**
 * A non-stationary environment (ALGORITHM.md §6, "a schedule for ρ_g"): the synapse budget ρ as a
 * function of the generation, written as short text that fits a URL and a command-line flag.
 *
 *   ''                    off: the configured ρ in every generation
 *   0.9,0.8,0.7           a list: ρ of generations 2, 3, 4, …; the last value holds after it
 *   0.7@2,0.5@8           steps: ρ from generation g on; before the first step the configured ρ
 *                         (a sudden tightening at generation 8: 0.5@8)
 *   ramp:0.8:0.5          linear from 0.8 at generation 2 to 0.5 at the run's last generation
 *   ramp:0.8:0.5:3:10     linear from 0.8 at generation 3 to 0.5 at generation 10, flat outside
 *
 * Generations are numbered as in the paper: generation 1 is the ancestor, 2 the first offspring.
 */

export type RhoSchedule =
  | { kind: 'constant' }
  | { kind: 'list'; values: number[] }
  | { kind: 'steps'; steps: { from: number; rho: number }[] }
  | { kind: 'ramp'; from: number; to: number; start: number; end: number | null };

export type ParsedSchedule = { ok: true; schedule: RhoSchedule } | { ok: false; reason: string };

/** What the text may be, in words (for messages and --help). */
export const RHO_SCHEDULE_FORMS =
  'empty (off), ρ per generation from 2 on (0.9,0.8,0.7), steps ρ@generation (0.7@2,0.5@8) or a ramp ramp:from:to[:first:last] (ramp:0.8:0.5)';

const FIRST_OFFSPRING = 2;

function parseRho(text: string): number | string {
  const t = text.trim();
  const x = Number(t);
  if (t === '' || !Number.isFinite(x)) return `"${t}" is not a number`;
  if (!(x > 0 && x <= 1)) return `ρ ${t} is not more than 0 and at most 1`;
  return x;
}

function parseGeneration(text: string): number | string {
  const t = text.trim();
  const g = Number(t);
  if (t === '' || !Number.isInteger(g) || g < FIRST_OFFSPRING)
    return `"${t}" is not a generation: give a whole number ≥ ${FIRST_OFFSPRING} (generation 1 is the ancestor)`;
  return g;
}

/** Text → schedule, or the first thing wrong with it in words. */
export function parseRhoSchedule(text: string): ParsedSchedule {
  const t = text.trim();
  if (t === '') return { ok: true, schedule: { kind: 'constant' } };
  const fail = (reason: string): ParsedSchedule => ({ ok: false, reason });

  if (t.toLowerCase().startsWith('ramp:')) {
    const parts = t.slice(5).split(':');
    if (parts.length !== 2 && parts.length !== 4)
      return fail(`a ramp is ramp:from:to or ramp:from:to:first:last (got "${t}")`);
    const [from, to] = parts.slice(0, 2).map(parseRho);
    if (typeof from === 'string') return fail(from);
    if (typeof to === 'string') return fail(to);
    if (parts.length === 2)
      return { ok: true, schedule: { kind: 'ramp', from, to, start: FIRST_OFFSPRING, end: null } };
    const [start, end] = parts.slice(2).map(parseGeneration);
    if (typeof start === 'string') return fail(start);
    if (typeof end === 'string') return fail(end);
    if (end <= start) return fail(`a ramp must end after it starts (got generations ${start} to ${end})`);
    return { ok: true, schedule: { kind: 'ramp', from, to, start, end } };
  }

  const items = t.split(',').map((x) => x.trim());
  const stepped = items.filter((x) => x.includes('@')).length;
  if (stepped > 0 && stepped < items.length)
    return fail('give either one ρ per generation (0.9,0.8) or steps ρ@generation (0.7@2,0.5@8), not both');
  if (stepped === 0) {
    const values: number[] = [];
    for (const item of items) {
      const rho = parseRho(item);
      if (typeof rho === 'string') return fail(rho);
      values.push(rho);
    }
    return { ok: true, schedule: { kind: 'list', values } };
  }
  const steps: { from: number; rho: number }[] = [];
  for (const item of items) {
    const [rhoText, genText, ...more] = item.split('@');
    if (more.length) return fail(`"${item}" has more than one @`);
    const rho = parseRho(rhoText);
    if (typeof rho === 'string') return fail(rho);
    const from = parseGeneration(genText);
    if (typeof from === 'string') return fail(from);
    const last = steps.at(-1);
    if (last && from <= last.from)
      return fail(`steps must go forward in generations: ${item} comes after ${last.rho}@${last.from}`);
    steps.push({ from, rho });
  }
  return { ok: true, schedule: { kind: 'steps', steps } };
}

/** The problem with a schedule's text, or null when it reads. */
export function rhoScheduleProblem(text: string): string | null {
  const parsed = parseRhoSchedule(text);
  return parsed.ok ? null : parsed.reason;
}

/**
 * ρ of one generation (≥ 2). `baseRho` is the configured ρ, which holds where the schedule says
 * nothing; `lastGeneration` ends a ramp that names no last generation.
 */
export function rhoAt(schedule: RhoSchedule, generation: number, baseRho: number, lastGeneration: number): number {
  switch (schedule.kind) {
    case 'constant':
      return baseRho;
    case 'list': {
      const i = Math.max(0, generation - FIRST_OFFSPRING);
      return schedule.values[Math.min(i, schedule.values.length - 1)];
    }
    case 'steps': {
      let rho = baseRho;
      for (const step of schedule.steps) if (generation >= step.from) rho = step.rho;
      return rho;
    }
    case 'ramp': {
      const { from, to, start } = schedule;
      const end = schedule.end ?? lastGeneration;
      if (generation <= start) return from;
      if (generation >= end) return to;
      return from + ((to - from) * (generation - start)) / (end - start);
    }
  }
}

/** ρ of one generation from the schedule's text (which must read: validation comes first). */
export function scheduledRho(text: string, generation: number, baseRho: number, lastGeneration: number): number {
  const parsed = parseRhoSchedule(text);
  if (!parsed.ok) throw new Error(`ρ schedule "${text}": ${parsed.reason}`);
  return rhoAt(parsed.schedule, generation, baseRho, lastGeneration);
}
