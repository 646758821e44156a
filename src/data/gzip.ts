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

/** Decompresses gzip data; any corruption or truncation becomes a DatasetError naming `file`. */
export async function gunzip(bytes: Uint8Array, file: string): Promise<Uint8Array> {
  if (!isGzip(bytes)) throw new DatasetError(file, 'not gzip data (the first two bytes are not 1f 8b)');
  try {
    // Read the stream directly: wrapping it in a Response would replace the decoder's error
    // with a generic "Failed to fetch" in Chrome.
    const reader = new Blob([plainBytes(bytes)]).stream().pipeThrough(new DecompressionStream('gzip')).getReader();
    return await readAllBytes(reader);
  } catch (err) {
    // Node says "unexpected end of file", Chrome "Junk found after end of compressed data", etc.
    const detail = err instanceof Error && err.message ? ` (${err.message.replace(/\.$/, '')})` : '';
    throw new DatasetError(file, `corrupt or truncated gzip data${detail}`, undefined, { cause: err });
  }
}

/** Gunzips when the bytes are gzip, otherwise returns them unchanged. */
export const maybeGunzip = (bytes: Uint8Array, file: string): Promise<Uint8Array> =>
  isGzip(bytes) ? gunzip(bytes, file) : Promise.resolve(bytes);
