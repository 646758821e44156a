// tsconfig.page.json resolves every @tensorflow/* import to this empty module, so the type check
// fails if the page's code (src/app) reaches tfjs, even through another module's imports: the UI
// knows nothing of tensors. Follow the import chain with `tsc -p tsconfig.page.json --explainFiles`.
export {};
