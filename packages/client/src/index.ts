/** The package's entry in Node: the portable API, and the file store that is Node's default store. */
export * from './portable.js';
export { FileStore } from './store/file-store.js';
export { LogStore } from './store/log-store.js';
export { DEFAULT_STORE_DIRECTORY } from './platform/node.js';
