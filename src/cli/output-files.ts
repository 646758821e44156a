/**
 * OUTDIR: checked before any training (a file, a path under a file, a read-only folder, a
 * run.json that is a folder, a folder already holding a run), and written after every generation
 * so that an interruption at any moment leaves files a resume can use: each file is replaced
 * atomically (written beside it, flushed, renamed), checkpoint.json first, so that it is never
 * behind run.json and generations.csv.
 */
import { constants } from 'node:fs';
import { access, lstat, mkdir, open, readFile, rename, rmdir, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { serialiseRunReport, parseJsonText } from '../experiment/artefacts';
import { generationFile, packGeneration } from '../experiment/genome-history';
import { recordsToCsv, type Checkpoint, type RunReport } from '../experiment/records';
import { serialiseCheckpoint } from '../experiment/serialise';
import { CliError } from './cli-io';

export const OUTPUT_FILES = ['checkpoint.json', 'run.json', 'generations.csv'] as const;

const code = (e: unknown) => (e as NodeJS.ErrnoException)?.code ?? '';

/** An errno in words the person can act on. */
export function reasonOf(e: unknown): string {
  switch (code(e)) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EROFS':
      return 'the file system is read-only';
    case 'ENOSPC':
      return 'no space left on the disk';
    case 'EDQUOT':
      return 'the disk quota is used up';
    case 'ENAMETOOLONG':
      return 'the name is too long';
    case 'ELOOP':
      return 'it is a loop of symbolic links';
    case 'ENOTDIR':
      return 'a part of the path is a file, not a folder';
    case 'EISDIR':
      return 'it is a folder';
    case 'ENOENT':
      return 'it does not exist';
    case 'EIO':
      return 'the disk reported an input/output error';
    default:
      return (e as Error)?.message ?? String(e);
  }
}

/**
 * `mkdir -p` that cannot hang: Node's own recursive mkdir loops forever where a parent exists
 * but refuses children with ENOENT (/proc, a dangling symbolic link). Returns the folders it
 * created, outermost first, so that a run failing before its first write can remove them.
 */
async function makeFolders(dir: string, flag: string, target = dir): Promise<string[]> {
  const where = dir === target ? `${flag} ${target}` : `${flag} ${target}: ${dir}`;
  const info = await stat(dir).catch((e: unknown) => {
    if (code(e) === 'ENOENT') return null;
    if (code(e) === 'ENOTDIR') throw new CliError(`${flag} ${target}: a part of the path is a file, not a folder`);
    throw new CliError(`${where}: cannot use it (${reasonOf(e)})`);
  });
  if (info) {
    if (!info.isDirectory())
      throw new CliError(
        dir === target
          ? `${flag} ${target} is a file, not a folder; give a folder for the results`
          : `${flag} ${target}: a part of the path is a file, not a folder`,
      );
    return [];
  }
  const parent = path.dirname(dir);
  const created = parent === dir ? [] : await makeFolders(parent, flag, target);
  try {
    await mkdir(dir);
  } catch (e) {
    if (
      code(e) === 'EEXIST' &&
      (await stat(dir).then(
        (s) => s.isDirectory(),
        () => false,
      ))
    )
      return created;
    const link = await lstat(dir).then(
      (s) => s.isSymbolicLink(),
      () => false,
    );
    const why = link
      ? 'it is a symbolic link to a folder that does not exist'
      : code(e) === 'ENOENT'
        ? `${parent} does not accept new folders`
        : code(e) === 'EEXIST'
          ? 'a file of that name is in the way'
          : reasonOf(e);
    throw new CliError(
      `${flag} ${target}: cannot create ${dir === target ? 'the folder' : dir} (${why}); give a folder you can write to`,
    );
  }
  return [...created, dir];
}

export interface PreparedOutDir {
  dir: string;
  /** Lets another run use the folder (removes the lock). */
  release(): Promise<void>;
  /** release(), and removes the folders this run created if they are still empty (it failed before writing). */
  cleanUp(): Promise<void>;
}

const LOCK = '.evolab-run.lock';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return code(e) === 'EPERM';
  }
};

/**
 * One run at a time per OUTDIR: two (the same command started twice, a resume beside the run)
 * would replace each other's files. A lock left by a run that was killed is taken over.
 */
async function lock(dir: string, flag: string): Promise<string> {
  const file = path.join(dir, LOCK);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(file, 'wx');
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      return file;
    } catch (e) {
      if (code(e) !== 'EEXIST') throw new CliError(`${flag} ${dir}: cannot write there (${reasonOf(e)})`);
      const pid = Number((await readFile(file, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid))
        throw new CliError(
          `${dir} is in use by another EvoLab run (process ${pid}); wait for it to finish or stop it first`,
        );
      await unlink(file).catch(() => {});
    }
  }
  throw new CliError(`${dir} is in use by another EvoLab run that is just starting; try again`);
}

/**
 * Makes sure results can be written to `dir` before anything trains. A new run refuses a folder
 * that already holds a run (it would overwrite it); a resumed run needs its files to be files.
 */
export async function prepareOutDir(dir: string, { resume }: { resume: boolean }): Promise<PreparedOutDir> {
  const flag = resume ? '--resume' : '--out';
  const created = await makeFolders(dir, flag);
  for (const name of [...OUTPUT_FILES, ...OUTPUT_FILES.map((f) => `${f}.tmp`)]) {
    const file = path.join(dir, name);
    const info = await lstat(file).catch(() => null);
    if (!info) continue;
    if (info.isDirectory()) throw new CliError(`${file} is a folder; move it away (the run writes a file there)`);
    if (!resume && (name === 'checkpoint.json' || name === 'run.json'))
      throw new CliError(
        `${dir} already holds a run (${name}); continue it with --resume ${dir}, or give another --out (nothing was changed)`,
      );
  }
  // Write access, checked by doing it: permissions alone do not tell (root, read-only mounts, ACLs).
  const probe = path.join(dir, `.evolab-write-check-${process.pid}`);
  try {
    const handle = await open(probe, 'wx');
    await handle.close();
    await unlink(probe);
  } catch (e) {
    await unlink(probe).catch(() => {});
    throw new CliError(`${flag} ${dir}: cannot write there (${reasonOf(e)}); give a folder you can write to`);
  }
  const lockFile = await lock(dir, flag);
  const release = () => unlink(lockFile).catch(() => {});
  return {
    dir,
    release,
    async cleanUp() {
      await release();
      for (const d of [...created].reverse()) await rmdir(d).catch(() => {});
    },
  };
}

/** Replaces `file` atomically: a reader (or a resume after a crash) sees the old or the new content. */
async function replaceFile(file: string, text: string, runDir = path.dirname(file)): Promise<void> {
  const tmp = `${file}.tmp`;
  try {
    const handle = await open(tmp, 'w');
    try {
      await handle.writeFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, file);
  } catch (e) {
    await unlink(tmp).catch(() => {});
    // The path that failed: the file beside it (a folder in its way, a full disk) or the file itself.
    const where = (e as NodeJS.ErrnoException).path ?? file;
    throw new CliError(
      `could not write ${where} (${reasonOf(e)}); the files of the last finished generation are intact: fix this, then continue with --resume ${runDir}`,
    );
  }
}

/** A generation's networks, packed, as genomes/gen-<N>.json, so that any of them can be exported (--export-model). */
export async function writeGenomes(dir: string, c: Checkpoint): Promise<void> {
  const file = path.join(dir, generationFile(c.generation));
  await mkdir(path.dirname(file), { recursive: true }).catch((e: unknown) => {
    throw new CliError(`could not create ${path.dirname(file)} (${reasonOf(e)})`);
  });
  await replaceFile(file, JSON.stringify(packGeneration(c.generation, c.population)), dir);
}

/**
 * After a generation: its networks (genomes/gen-<N>.json), checkpoint.json (a resume needs it),
 * then run.json, then generations.csv.
 */
export async function writeOutputs(dir: string, report: RunReport, checkpoint?: Checkpoint): Promise<void> {
  if (checkpoint) await writeGenomes(dir, checkpoint);
  if (checkpoint) await replaceFile(path.join(dir, 'checkpoint.json'), JSON.stringify(serialiseCheckpoint(checkpoint)));
  await replaceFile(path.join(dir, 'run.json'), JSON.stringify(serialiseRunReport(report), null, 1));
  await replaceFile(path.join(dir, 'generations.csv'), recordsToCsv(report.records));
}

/** Largest JSON file a run writes or reads (a checkpoint of 8 networks and 200 generations is ~20 MB). */
const MAX_JSON_BYTES = 512 * 2 ** 20;

/**
 * A JSON file the person named (a checkpoint, a --config, a run.json), read safely: a folder, a
 * device or pipe (which would block forever), a huge file or a missing one gets a clear message.
 */
export async function readJsonFile(file: string, what: string): Promise<unknown> {
  const info = await stat(file).catch((e: unknown) => {
    throw new CliError(`${what} ${file}: cannot read it (${reasonOf(e)})`);
  });
  if (info.isDirectory()) throw new CliError(`${what} ${file} is a folder, not a file`);
  if (!info.isFile()) throw new CliError(`${what} ${file} is not a regular file (a device or a pipe?)`);
  if (info.size > MAX_JSON_BYTES)
    throw new CliError(`${what} ${file} is ${Math.round(info.size / 2 ** 20)} MB, too large to be an EvoLab file`);
  await access(file, constants.R_OK).catch((e: unknown) => {
    throw new CliError(`${what} ${file}: cannot read it (${reasonOf(e)})`);
  });
  const bytes = await readFile(file).catch((e: unknown) => {
    throw new CliError(`${what} ${file}: cannot read it (${reasonOf(e)})`);
  });
  if (bytes[0] === 0x1f && bytes[1] === 0x8b)
    throw new CliError(`${what} ${file} is gzip-compressed; decompress it first (gunzip)`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new CliError(`${what} ${file} is not text (it is not UTF-8); is this the right file?`);
  }
  return parseJsonText(text, file);
}
