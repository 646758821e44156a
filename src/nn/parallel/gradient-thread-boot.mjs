// Starts gradient-thread.ts from TypeScript source (under tsx or vitest): registers tsx's
// loader in this worker thread first, since Node 20 does not pass --import hooks to threads.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
