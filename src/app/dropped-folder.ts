/**
 * A dropped or chosen folder (or zip) as the Worker takes it: every file with its path inside the
 * folder. Folders dropped on the page are walked through the File System entries API (a drop's
 * `files` list holds no folder contents); a folder chosen with the file picker (webkitdirectory)
 * gives each file its relative path.
 */
import type { DroppedFolder } from '../worker/protocol';

/** A folder's files beyond which the page refuses to walk (a whole disk dropped by mistake). */
export const MAX_FOLDER_FILES = 200_000;

const relativePath = (f: File) => (f as File & { webkitRelativePath?: string }).webkitRelativePath || f.name;

/** Chosen or dropped files: one .zip, or files with their relative paths (named after their common top folder). */
export function folderFromFiles(files: readonly File[]): DroppedFolder | null {
  if (!files.length) return null;
  if (files.length === 1 && /\.zip$/i.test(files[0].name))
    return { kind: 'zip', name: files[0].name.replace(/\.zip$/i, ''), file: files[0] };
  const entries = files.map((file) => ({ path: relativePath(file), file }));
  const tops = new Set(entries.map((e) => (e.path.includes('/') ? e.path.split('/')[0] : '')));
  const [top] = tops;
  return { kind: 'files', name: tops.size === 1 && top ? top : 'dropped files', files: entries };
}

async function walk(entry: FileSystemEntry, out: { path: string; file: File }[]): Promise<void> {
  if (out.length > MAX_FOLDER_FILES)
    throw new Error(
      `the folder holds more than ${MAX_FOLDER_FILES.toLocaleString('en')} files; drop the dataset’s own folder`,
    );
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
    out.push({ path: entry.fullPath.replace(/^\/+/, ''), file });
  } else if (entry.isDirectory) {
    const reader = (entry as FileSystemDirectoryEntry).createReader();
    // readEntries answers in batches until an empty one.
    for (;;) {
      const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
      if (!batch.length) break;
      for (const e of batch) await walk(e, out);
    }
  }
}

/**
 * What a drop holds. The entries must be taken during the drop event (its DataTransfer empties
 * afterwards), so call this synchronously from the handler and await the result.
 */
export function folderFromDrop(dt: DataTransfer): Promise<DroppedFolder | null> {
  const entries = [...dt.items]
    .map((i) => (i.kind === 'file' ? i.webkitGetAsEntry?.() : null))
    .filter((e): e is FileSystemEntry => !!e);
  const files = [...dt.files];
  if (!entries.some((e) => e.isDirectory)) return Promise.resolve(folderFromFiles(files));
  return (async () => {
    const out: { path: string; file: File }[] = [];
    for (const e of entries) await walk(e, out);
    const dirs = entries.filter((e) => e.isDirectory);
    return { kind: 'files', name: entries.length === 1 ? dirs[0].name : 'dropped files', files: out };
  })();
}
