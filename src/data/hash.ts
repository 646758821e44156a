import { plainBytes } from './gzip';

/** Lower-case hex SHA-256 via WebCrypto, so the browser and Node verify files the same way. */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', plainBytes(bytes)));
  let hex = '';
  for (const b of digest) hex += b.toString(16).padStart(2, '0');
  return hex;
}
