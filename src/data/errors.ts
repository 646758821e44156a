/**
 * Every problem with a data file surfaces as a DatasetError that names the file, says what was
 * wrong and what to do, so the UI and the CLI can show it as is instead of a tfjs stack trace.
 */

export const DEFAULT_HINT = 'Is this the right file? Run npm run data to fetch fresh copies.';

export class DatasetError extends Error {
  override readonly name: string = 'DatasetError';

  constructor(
    /** The file as the user would recognise it, e.g. `mnist/train-images-idx3-ubyte.gz`. */
    readonly file: string,
    /** What is wrong, without the file name or advice. */
    readonly problem: string,
    /** What to do about it. */
    readonly hint: string = DEFAULT_HINT,
    options?: { cause?: unknown },
  ) {
    super(`${file}: ${problem}. ${hint}`, options);
  }
}

/**
 * Neither `X.gz` nor `X` exists; loaders use this to fall back (e.g. to built-in class names).
 * Keeps the name 'DatasetError' for code that checks `error.name` rather than `instanceof`.
 */
export class MissingFileError extends DatasetError {}
