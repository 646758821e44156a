/** Browser-safe data API. The Node folder source is imported from './node-source' directly. */
export * from './dataset';
export * from './errors';
export { isGzip, gunzip, maybeGunzip } from './gzip';
export { sha256Hex } from './hash';
export * from './idx';
export * from './cifar';
export * from './manifest';
export * from './sources';
export * from './load';
export * from './subset';
export * from './batches';
