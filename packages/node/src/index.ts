export * from './chain/index.js';
export { startNode, type NodeOptions, type RunningNode } from './node.js';
export { PROFILES, isProfileName, type Profile, type ProfileName } from './profiles.js';
