/**
 * The browser type checks (tsconfig.app.json, tsconfig.worker.json) reject Node: a module of the
 * page or of a Worker that imports a Node built-in or uses `process` does not type-check, while
 * the Node check (tsconfig.json) accepts the same file. Compiles one in-memory file per case.
 */
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('.', import.meta.url));

/** The error codes of compiling `code` as the file `file` under the config `config`. */
function typeErrors(config: string, file: string, code: string): number[] {
  const parsed = ts.getParsedCommandLineOfConfigFile(
    `${ROOT}${config}`,
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    },
  );
  if (!parsed) throw new Error(`could not read ${config}`);
  const path = `${ROOT}${file}`;
  const host = ts.createCompilerHost(parsed.options);
  const readFile = host.readFile.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.fileExists = (f) => f === path || ts.sys.fileExists(f);
  host.readFile = (f) => (f === path ? code : readFile(f));
  host.getSourceFile = (f, lang, ...rest) =>
    f === path ? ts.createSourceFile(f, code, lang) : getSourceFile(f, lang, ...rest);
  const program = ts.createProgram([path], parsed.options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => d.code);
}

const CANNOT_FIND_MODULE = 2307;
const CANNOT_FIND_NAME_NODE = 2591; // "Cannot find name 'process'. Do you need … @types/node?"
const CANNOT_FIND_NAME_DOM = 2584; // "Cannot find name 'document'. … include 'dom'."

const usesNode = `import { readFileSync } from 'node:fs';\nexport const read = readFileSync;\nexport const env = process.env;\n`;

describe.each([
  ['tsconfig.app.json', 'src/app/probe.ts'],
  ['tsconfig.worker.json', 'src/worker/probe.ts'],
])('%s', (config, file) => {
  it('rejects Node modules and globals', () => {
    expect(typeErrors(config, file, usesNode).sort()).toEqual([CANNOT_FIND_MODULE, CANNOT_FIND_NAME_NODE]);
  });
  it('accepts browser code', () => {
    expect(typeErrors(config, file, `export const ok = new URL('x', location.href) && crypto.randomUUID();\n`)).toEqual(
      [],
    );
  });
});

it('tsconfig.worker.json rejects the page’s globals', () => {
  expect(typeErrors('tsconfig.worker.json', 'src/worker/probe.ts', 'export const d = document.title;\n')).toEqual([
    CANNOT_FIND_NAME_DOM,
  ]);
});

it('tsconfig.json (Node: CLI, tests, bench) accepts the same Node code', () => {
  expect(typeErrors('tsconfig.json', 'src/cli/probe.ts', usesNode)).toEqual([]);
});

it('tsconfig.app-no-tfjs.json leaves the page nothing of tfjs to use', () => {
  const code = `import * as tf from '@tensorflow/tfjs';\nexport const t = tf.tidy;\n`;
  expect(typeErrors('tsconfig.app.json', 'src/app/probe.ts', code)).toEqual([]);
  expect(typeErrors('tsconfig.app-no-tfjs.json', 'src/app/probe.ts', code)).toEqual([2339]); // no property 'tidy'
});
