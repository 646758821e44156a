/**
 * Gzip via the platform's DecompressionStream, so Node 20, browsers and Web Workers share one
 * code path (no zlib, no npm dependency).
 */
import { DatasetError } from './errors';
import { readAllBytes } from './streams';

/** Files are recognised by content, not by name: some servers gunzip `.gz` on the fly. */
export const isGzip = (bytes: Uint8Array): boolean => bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;

/** The web stream APIs only accept views on a plain ArrayBuffer (not a SharedArrayBuffer). */
export function plainBytes(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : bytes.slice();
}

/**
 * More than any dataset file holds once decompressed (EMNIST digits' largest is 188 MB): a
 * "gzip bomb" (a small file of zeros that inflates to gigabytes) stops here instead of using up
 * the memory.
 */
export const MAX_GUNZIPPED_BYTES = 256 * 2 ** 20;

class TooLargeError extends Error {}

/** Decompresses one gzip stream with the platform's DecompressionStream. */
async function inflate(bytes: Uint8Array, limit = MAX_GUNZIPPED_BYTES): Promise<Uint8Array> {
  // Read the stream directly: wrapping it in a Response would replace the decoder's error
  // with a generic "Failed to fetch" in Chrome.
  const reader = new Blob([plainBytes(bytes)]).stream().pipeThrough(new DecompressionStream('gzip')).getReader();
  let size = 0;
  return readAllBytes(reader, async (step) => {
    const result = await step;
    size += (result as ReadableStreamReadResult<Uint8Array>).value?.length ?? 0;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw new TooLargeError(`it decompresses to more than ${Math.round(limit / 2 ** 20)} MB`);
    }
    return result;
  });
}

export type Inflate = (bytes: Uint8Array) => Promise<Uint8Array>;

const isMemberStart = (b: Uint8Array, at: number) => b[at] === 0x1f && b[at + 1] === 0x8b && b[at + 2] === 8;
/** The smallest gzip member: a 10-byte header, an empty deflate block and the 8-byte trailer. */
const MIN_MEMBER = 20;

/**
 * A file of several gzip members (pigz, `cat a.gz b.gz`, some mirrors) is valid gzip, and Node's
 * decoder reads it whole, but Chrome's stops after the first member ("Junk found after end of
 * compressed data"). So, when one pass fails, each member is decoded alone: a member ends where
 * the next header starts (or at the end) and decodes without error, its checksum included.
 * Null when the bytes are not such a sequence. Zero bytes after the last member are padding.
 */
export async function inflateMembers(bytes: Uint8Array, decode: Inflate = inflate): Promise<Uint8Array | null> {
  const parts: Uint8Array[] = [];
  let start = 0;
  while (start < bytes.length) {
    if (parts.length && bytes.subarray(start).every((b) => b === 0)) break;
    if (!isMemberStart(bytes, start)) return null;
    let next: number | null = null;
    for (let end = start + MIN_MEMBER; end <= bytes.length && next === null; end++) {
      if (end < bytes.length && !isMemberStart(bytes, end) && bytes[end] !== 0) continue;
      if (end < bytes.length && bytes[end] === 0 && !bytes.subarray(end).every((b) => b === 0)) continue;
      try {
        parts.push(await decode(bytes.subarray(start, end)));
        next = end;
      } catch {
        /* not the end of this member */
      }
    }
    if (next === null) return null;
    start = next;
  }
  if (!parts.length) return null;
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Decompresses gzip data; any corruption or truncation becomes a DatasetError naming `file`. */
export async function gunzip(bytes: Uint8Array, file: string, decode: Inflate = inflate): Promise<Uint8Array> {
  if (!isGzip(bytes)) throw new DatasetError(file, 'not gzip data (the first two bytes are not 1f 8b)');
  try {
    return await decode(bytes);
  } catch (err) {
    if (err instanceof TooLargeError)
      throw new DatasetError(file, `${err.message}, more than any dataset file`, 'Is this the right file?');
    const members = await inflateMembers(bytes, decode).catch(() => null);
    if (members) return members;
    // Node says "unexpected end of file", Chrome "Junk found after end of compressed data", etc.
    const detail = err instanceof Error && err.message ? ` (${err.message.replace(/\.$/, '')})` : '';
    throw new DatasetError(file, `corrupt or truncated gzip data${detail}`, undefined, { cause: err });
  }
}

/** Gunzips when the bytes are gzip, otherwise returns them unchanged. */
export const maybeGunzip = (bytes: Uint8Array, file: string): Promise<Uint8Array> =>
  isGzip(bytes) ? gunzip(bytes, file) : Promise.resolve(bytes);
