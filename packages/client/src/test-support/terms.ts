/** The seed transcript's network id and channel terms (continuous/init_per_group). */
export const NETWORK_ID = 'local_lima_testnet';

export const SEED_TERMS = {
  initiatorAmount: 70_000_000_000_000n,
  responderAmount: 40_000_000_000_000n,
  pushAmount: 1n,
  channelReserve: 2n,
  lockPeriod: 10n,
} as const;
