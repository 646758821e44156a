/**
 * The Slurm executor: the same units as job arrays. The ancestors go first as one array; the
 * points follow in arrays whose task i depends (`--dependency=aftercorr`) on ancestor task i, so a
 * point starts as soon as its own ancestor has finished, and is cancelled
 * (`--kill-on-invalid-dep=yes`) if that ancestor fails. A seed with k points needs k point
 * arrays (one per point of each ancestor), since aftercorr pairs tasks by index.
 *
 * Every task runs the ordinary headless runner on its unit, in the shared sweep folder, and
 * records its attempt there (attempts.jsonl, evolve.log) exactly as the local executor does.
 */
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { SlurmOptions, Submission, SweepRecord } from './folder';
import type { SweepUnit } from './points';
import { ATTEMPT_HEADER, type UnitObservation, type UnitStatus } from './status';

export class SlurmError extends Error {}

export interface ArrayTask {
  index: number;
  unit: SweepUnit;
}

export interface PlannedArray {
  phase: 'ancestors' | 'points';
  tasks: ArrayTask[];
  /** Task i waits for task i of the ancestors' array of this round. */
  afterAncestors: boolean;
}

/**
 * The arrays that run `ancestors` and `points` (those not finished): the ancestors' array, one
 * array per point of each ancestor aligned with it by index, and one array of the points whose
 * ancestors have already finished.
 */
export function planArrays(ancestors: readonly SweepUnit[], points: readonly SweepUnit[]): PlannedArray[] {
  const arrays: PlannedArray[] = [];
  const index = new Map(ancestors.map((a, i) => [a.id, i]));
  if (ancestors.length)
    arrays.push({ phase: 'ancestors', tasks: ancestors.map((unit, i) => ({ index: i, unit })), afterAncestors: false });
  const waiting = points.filter((p) => index.has(p.ancestor!));
  const slots: ArrayTask[][] = [];
  const seen = new Map<string, number>();
  for (const unit of waiting) {
    const k = seen.get(unit.ancestor!) ?? 0;
    seen.set(unit.ancestor!, k + 1);
    (slots[k] ??= []).push({ index: index.get(unit.ancestor!)!, unit });
  }
  for (const tasks of slots) arrays.push({ phase: 'points', tasks, afterAncestors: true });
  const free = points.filter((p) => !index.has(p.ancestor!));
  if (free.length)
    arrays.push({ phase: 'points', tasks: free.map((unit, i) => ({ index: i, unit })), afterAncestors: false });
  return arrays;
}

/** `0-3`, `0,2,5`, `0-2,5`: Slurm's --array syntax for these indices. */
export function arrayRange(indices: readonly number[]): string {
  const sorted = [...indices].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(j > i ? `${sorted[i]}-${sorted[j]}` : `${sorted[i]}`);
    i = j + 1;
  }
  return parts.join(',');
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export interface ScriptContext {
  name: string;
  /** Absolute sweep folder and repository root; both must be on a filesystem the nodes share. */
  sweepDir: string;
  repoRoot: string;
  options: SlurmOptions;
  /** A label for the script's job name and output files, e.g. "r1-points-2". */
  label: string;
}

/** The batch script of one array: a case per task naming its unit, then the headless runner. */
export function batchScript(array: PlannedArray, ctx: ScriptContext): string {
  const o = ctx.options;
  const header = [
    `--job-name=evolab-${ctx.name}-${ctx.label}`,
    `--array=${arrayRange(array.tasks.map((t) => t.index))}`,
    `--cpus-per-task=${o.cpusPerTask}`,
    `--output=${path.join(ctx.sweepDir, 'slurm', `${ctx.label}-%A_%a.out`)}`,
    ...(o.partition ? [`--partition=${o.partition}`] : []),
    ...(o.time ? [`--time=${o.time}`] : []),
    ...(o.mem ? [`--mem=${o.mem}`] : []),
    ...o.extra,
  ];
  const cases = array.tasks.map(
    ({ index, unit }) =>
      `  ${index}) UNIT=${quote(unit.dir)}; DATA=${quote(unit.dataDir)}; FROM=${quote(unit.ancestor ? `ancestors/${unit.ancestor}` : '')} ;;`,
  );
  return `#!/bin/bash
${header.map((h) => `#SBATCH ${h}`).join('\n')}
# EvoLab sweep "${ctx.name}" in ${ctx.sweepDir}: ${array.phase === 'ancestors' ? 'one generation-1 ancestor' : 'one point'} per array task.
# Each task runs the headless runner on its unit and records the attempt in the unit's folder.
set -u
SWEEP=${quote(ctx.sweepDir)}
cd ${quote(ctx.repoRoot)} || exit 1
case "\${SLURM_ARRAY_TASK_ID:?submit this script with sbatch}" in
${cases.join('\n')}
  *) echo "no unit for array task $SLURM_ARRAY_TASK_ID" >&2; exit 2 ;;
esac
RUN="$SWEEP/$UNIT"
if [ -f "$RUN/checkpoint.json" ]; then
  set -- --resume "$RUN" # an earlier attempt got this far
elif [ -n "$FROM" ]; then
  set -- --config "$RUN/config.json" --out "$RUN" --ancestor-from "$SWEEP/$FROM"
else
  set -- --config "$RUN/config.json" --out "$RUN"
fi
now() { date -u +%Y-%m-%dT%H:%M:%SZ; }
echo "${ATTEMPT_HEADER} $(now) on $(hostname) (Slurm job \${SLURM_ARRAY_JOB_ID}_\${SLURM_ARRAY_TASK_ID}) ===" >>"$RUN/evolve.log"
# Node itself, not npm or tsx's wrapper, so that signals reach the run.
node --import tsx src/cli/evolve.ts "$@" --data-dir "$DATA" --threads "\${SLURM_CPUS_PER_TASK:-1}" >>"$RUN/evolve.log" 2>&1 &
PID=$!
printf '{"event":"start","at":"%s","host":"%s","pid":%d,"executor":"slurm","slurmJobId":%d,"slurmArrayJobId":%d,"slurmArrayTaskId":%d}\\n' \\
  "$(now)" "$(hostname)" "$PID" "$SLURM_JOB_ID" "$SLURM_ARRAY_JOB_ID" "$SLURM_ARRAY_TASK_ID" >>"$RUN/attempts.jsonl"
SIGNAL=null
trap 'SIGNAL=\\"TERM\\"; kill -TERM $PID 2>/dev/null' TERM
trap 'SIGNAL=\\"INT\\"; kill -INT $PID 2>/dev/null' INT
wait "$PID"
CODE=$?
while kill -0 "$PID" 2>/dev/null; do
  wait "$PID" # a trapped signal ended the first wait; the run is still stopping
  CODE=$?
done
printf '{"event":"end","at":"%s","exitCode":%s,"signal":%s}\\n' "$(now)" "$([ "$SIGNAL" = null ] && echo "$CODE" || echo null)" "$SIGNAL" >>"$RUN/attempts.jsonl"
exit "$CODE"
`;
}

const run = promisify(execFile);

/** A Slurm client call (sbatch, squeue, scancel) with its error in words. */
async function client(command: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await run(command, args, { timeout: 60_000, maxBuffer: 1 << 24 });
    return stdout;
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: string; killed?: boolean };
    if (err.code === 'ENOENT')
      throw new SlurmError(
        `${command} is not installed here: run the sweep on a Slurm login node (or bring up a local cluster with scripts/slurm-cluster.sh up)`,
      );
    if (err.killed) throw new SlurmError(`${command} did not answer within 60 s: is slurmctld (and munged) running?`);
    const text = (err.stderr || err.message).trim();
    const hint = /DNS SRV lookup failed|Could not establish a configuration source/.test(text)
      ? ' (the Slurm clients found no configuration: export SLURM_CONF=<its slurm.conf>; for the local cluster, eval "$(bash scripts/slurm-cluster.sh env DIR)")'
      : '';
    throw new SlurmError(`${command} ${args.join(' ')} failed: ${text}${hint}`);
  }
}

export function sbatchArgs(scriptFile: string, dependsOn?: number): string[] {
  return [
    '--parsable',
    ...(dependsOn !== undefined ? [`--dependency=aftercorr:${dependsOn}`, '--kill-on-invalid-dep=yes'] : []),
    scriptFile,
  ];
}

export interface SubmitContext extends Omit<ScriptContext, 'label'> {
  round: number;
  dryRun: boolean;
  /** Prints a dry run's scripts. */
  print: (text: string) => void;
}

/** Writes and submits the arrays (ancestors first); returns what was submitted. */
export async function submitArrays(arrays: PlannedArray[], ctx: SubmitContext): Promise<Submission[]> {
  const submissions: Submission[] = [];
  await mkdir(path.join(ctx.sweepDir, 'slurm'), { recursive: true });
  let ancestorsJob: number | undefined;
  let pointArrays = 0;
  for (const array of arrays) {
    const label = `r${ctx.round}-${array.phase === 'ancestors' ? 'ancestors' : `points-${++pointArrays}`}`;
    const script = batchScript(array, { ...ctx, label });
    const file = path.join(ctx.sweepDir, 'slurm', `${label}.sbatch`);
    const dependsOn = array.afterAncestors ? ancestorsJob : undefined;
    if (ctx.dryRun) {
      const dependency = array.afterAncestors
        ? ' --dependency=aftercorr:<ancestors job> --kill-on-invalid-dep=yes'
        : '';
      ctx.print(`# sbatch --parsable${dependency} ${file}\n${script}\n`);
      continue;
    }
    await writeFile(file, script, { mode: 0o755 });
    const out = await client('sbatch', sbatchArgs(file, dependsOn));
    const arrayJobId = Number(out.trim().split(';')[0]);
    if (!Number.isInteger(arrayJobId)) throw new SlurmError(`sbatch answered ${JSON.stringify(out)}, not a job id`);
    if (array.phase === 'ancestors') ancestorsJob = arrayJobId;
    submissions.push({
      at: new Date().toISOString(),
      round: ctx.round,
      phase: array.phase,
      script: path.relative(ctx.sweepDir, file),
      arrayJobId,
      tasks: Object.fromEntries(array.tasks.map((t) => [String(t.index), t.unit.dir])),
      ...(dependsOn !== undefined ? { dependsOn } : {}),
    });
  }
  return submissions;
}

/** Slurm's states that mean "not started yet" and "running". */
const QUEUED = new Set([
  'PENDING',
  'CONFIGURING',
  'REQUEUED',
  'REQUEUE_HOLD',
  'REQUEUE_FED',
  'RESV_DEL_HOLD',
  'SUSPENDED',
]);
const RUNNING = new Set(['RUNNING', 'COMPLETING', 'SIGNALING', 'STAGE_OUT', 'RESIZING']);

/** Array task → queued/running, for the given array jobs (tasks that ended are absent). */
export async function queueState(arrayJobIds: readonly number[]): Promise<Map<string, 'queued' | 'running'>> {
  const state = new Map<string, 'queued' | 'running'>();
  if (!arrayJobIds.length) return state;
  const wanted = new Set(arrayJobIds.map(String));
  const out = await client('squeue', ['-h', '-r', '-u', userInfo().username, '-t', 'all', '-o', '%F|%K|%T']);
  for (const line of out.split('\n')) {
    const [arrayJob, task, slurmState] = line.trim().split('|');
    if (!wanted.has(arrayJob)) continue;
    if (QUEUED.has(slurmState)) state.set(`${arrayJob}_${task}`, 'queued');
    else if (RUNNING.has(slurmState)) state.set(`${arrayJob}_${task}`, 'running');
  }
  return state;
}

/** What Slurm says of each unit: its latest submission and whether that task is queued or running. */
export async function slurmView(record: SweepRecord) {
  const submissions = record.slurm?.submissions ?? [];
  const latest = new Map<string, { arrayJobId: number; index: string; at: string }>();
  for (const s of submissions)
    for (const [index, dir] of Object.entries(s.tasks)) latest.set(dir, { arrayJobId: s.arrayJobId, index, at: s.at });
  const queue = await queueState([...new Set(submissions.map((s) => s.arrayJobId))]);
  return {
    active: (u: UnitStatus): UnitObservation['active'] => {
      const l = latest.get(u.dir);
      return l ? (queue.get(`${l.arrayJobId}_${l.index}`) ?? null) : null;
    },
    submittedArrayJob: (u: UnitStatus) => latest.get(u.dir)?.arrayJobId,
    activeCount: queue.size,
  };
}

/** Cancels the sweep's jobs still in the queue; returns the array job ids it cancelled. */
export async function cancelJobs(record: SweepRecord): Promise<number[]> {
  const ids = [...new Set((record.slurm?.submissions ?? []).map((s) => s.arrayJobId))];
  const queue = await queueState(ids);
  const active = ids.filter((id) => [...queue.keys()].some((k) => k.startsWith(`${id}_`)));
  if (active.length) await client('scancel', active.map(String));
  return active;
}
