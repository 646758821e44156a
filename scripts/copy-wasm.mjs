// Copies tfjs' .wasm binaries into public/tfjs-wasm/ (git-ignored), so the app serves them
// same-origin and the Worker can load them from an absolute URL (PLATFORM.md). Run by
// predev/prebuild and by the e2e set-up.
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const from = path.join(root, 'node_modules/@tensorflow/tfjs-backend-wasm/dist');
const to = path.join(root, 'public/tfjs-wasm');
mkdirSync(to, { recursive: true });
const files = readdirSync(from).filter((f) => f.endsWith('.wasm'));
if (!files.length) throw new Error(`no .wasm files in ${from}: is @tensorflow/tfjs-backend-wasm installed?`);
for (const f of files) copyFileSync(path.join(from, f), path.join(to, f));
console.log(`copy-wasm: ${files.length} file(s) → public/tfjs-wasm/`);
