/**
 * Browser-safe data API (see registry.ts for an overview). Node-only parts are imported
 * directly: the folder source from './node-source', the PNG/JPEG decoder from './node-decoder'.
 */
export * from './dataset';
export * from './errors';
export { isGzip, gunzip, maybeGunzip, MAX_GUNZIPPED_BYTES } from './gzip';
export { sha256Hex } from './hash';
export * from './idx';
export * from './cifar';
export * from './manifest';
export * from './sources';
export * from './load';
export * from './subset';
export * from './batches';
export * from './registry';
export * from './open';
export * from './idx-folder';
export * from './image-folder';
export * from './images';
export * from './zip';
