export * from './chain/index.js';
export { startNode, type NodeOptions, type RunningNode } from './node.js';
export { DEFAULT_LIMITS, type ConnectionLimits } from './ws/limits.js';
export { PROFILES, isProfileName, type Profile, type ProfileName } from './profiles.js';
export { DEV_ACCOUNT_COUNT, DEV_BALANCE, DEV_SEED, devAccounts } from './dev-accounts.js';
export { judgeChannelTx, type Expected as ExpectedChannelTx, type NodeVerdict } from './fsm/judge.js';
