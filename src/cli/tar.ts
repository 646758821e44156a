/**
 * Just enough of the tar format to unpack the official CIFAR-10 tarball: ustar/GNU/pax headers,
 * regular files only, GNU long names and pax `path` records honoured.
 */

export interface TarEntry {
  readonly name: string;
  readonly data: Uint8Array;
}

const BLOCK = 512;
const ascii = new TextDecoder('latin1');
const utf8 = new TextDecoder('utf-8');

function text(bytes: Uint8Array): string {
  const end = bytes.indexOf(0);
  return ascii.decode(end < 0 ? bytes : bytes.subarray(0, end));
}

function octal(field: Uint8Array, what: string): number {
  // GNU base-256 for values too large for octal (high bit set); CIFAR never needs it, but it is cheap.
  if (field[0] & 0x80) {
    let v = field[0] & 0x7f;
    for (let i = 1; i < field.length; i++) v = v * 256 + field[i];
    return v;
  }
  const s = text(field).trim();
  if (!/^[0-7]*$/.test(s)) throw new Error(`tar: bad ${what} field ${JSON.stringify(s)}`);
  return s ? parseInt(s, 8) : 0;
}

function checksumOk(header: Uint8Array): boolean {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : header[i];
  return sum === octal(header.subarray(148, 156), 'checksum');
}

/** pax records are "<len> key=value\n"; only `path` matters here. */
function paxPath(data: Uint8Array): string | null {
  const records = utf8.decode(data);
  for (const m of records.matchAll(/\d+ path=([^\n]*)\n/g)) return m[1];
  return null;
}

export function* tarEntries(tar: Uint8Array): Generator<TarEntry> {
  let pos = 0;
  let longName: string | null = null;
  while (pos + BLOCK <= tar.length) {
    const header = tar.subarray(pos, pos + BLOCK);
    if (header.every((b) => b === 0)) return; // end-of-archive marker
    if (!checksumOk(header)) throw new Error(`tar: bad header checksum at byte ${pos}; the archive is corrupt`);
    const size = octal(header.subarray(124, 136), 'size');
    const type = String.fromCharCode(header[156] || 0x30);
    const start = pos + BLOCK;
    if (start + size > tar.length) throw new Error(`tar: archive truncated inside an entry at byte ${pos}`);
    const data = tar.subarray(start, start + size);
    pos = start + Math.ceil(size / BLOCK) * BLOCK;

    if (type === 'L') {
      longName = text(data);
    } else if (type === 'x') {
      longName = paxPath(data) ?? longName;
    } else if (type === '0' || type === '7') {
      // Only POSIX ustar ("ustar\0") has a name prefix; GNU ("ustar  ") keeps other fields there.
      const prefix = text(header.subarray(257, 263)) === 'ustar' ? text(header.subarray(345, 500)) : '';
      const short = text(header.subarray(0, 100));
      const name = longName ?? (prefix ? `${prefix}/${short}` : short);
      longName = null;
      yield { name, data };
    } else {
      longName = null; // directories, links, global pax headers: nothing to extract
    }
  }
  throw new Error(`tar: archive truncated at byte ${pos} (no end-of-archive marker)`);
}
