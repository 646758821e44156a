/** Reads a byte stream to its end into one contiguous array. */
export async function readAllBytes(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  wrap: <T>(step: Promise<T>) => Promise<T> = (step) => step,
): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await wrap(reader.read());
    if (done) break;
    chunks.push(value);
    size += value.length;
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
