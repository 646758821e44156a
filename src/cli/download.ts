/** HTTP downloads for `npm run data`, with a stall timeout so a dead network fails instead of hanging. */
import { CIFAR10_ENTRY, MNIST_ENTRY } from '../data/registry';
import type { FetchLike } from '../data/sources';
import { readAllBytes } from '../data/streams';

// Where each dataset comes from is in the registry; these names stay for existing callers.
export const MNIST_MIRRORS = MNIST_ENTRY.fetch.kind === 'files' ? MNIST_ENTRY.fetch.mirrors : [];
export const CIFAR10_TARBALL = CIFAR10_ENTRY.fetch.kind === 'files' ? '' : CIFAR10_ENTRY.fetch.url;
/** Folder inside the tarball that holds the batches and batches.meta.txt. */
export const CIFAR10_TAR_FOLDER = 'cifar-10-batches-bin/';

export class DownloadError extends Error {
  override readonly name: string = 'DownloadError';
  constructor(
    readonly url: string,
    readonly reason: string,
    /** Set when the server answered with an error status (the host itself is reachable). */
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(`could not download ${url} (${reason})`, options);
  }
}

export interface DownloadOptions {
  readonly fetchImpl: FetchLike;
  /** Longest wait for the response or for the next chunk of the body. */
  readonly timeoutMs: number;
  readonly log?: (line: string) => void;
}

export async function download(url: string, { fetchImpl, timeoutMs, log }: DownloadOptions): Promise<Uint8Array> {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  // Raced against every await, so even a fetch that ignores the abort signal cannot hang us.
  const stalled = <T>(p: Promise<T>): Promise<T> =>
    Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          const err = new Error(`nothing received for ${timeoutMs / 1000} s`);
          controller.abort(err);
          reject(err);
        }, timeoutMs);
      }),
    ]).finally(() => clearTimeout(timer));

  try {
    log?.(`downloading ${url}`);
    const res = await stalled(fetchImpl(url, { signal: controller.signal }));
    if (!res.ok) throw new DownloadError(url, `HTTP ${res.status} ${res.statusText}`, res.status);
    if (!res.body) return new Uint8Array(await stalled(res.arrayBuffer()));
    const reader = res.body.getReader();
    return await readAllBytes(reader, stalled);
  } catch (err) {
    if (err instanceof DownloadError) throw err;
    // undici hides the useful part ("getaddrinfo ENOTFOUND host") in err.cause.
    const e = err as Error & { cause?: { message?: string } };
    const reason = [e?.message ?? String(err), e?.cause?.message].filter(Boolean).join(': ');
    throw new DownloadError(url, reason, undefined, { cause: err });
  }
}
