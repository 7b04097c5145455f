// Scale of the local node (packages/node/dist): N channels opened at once on one node process by
// 2N raw JSON WebSocket clients, then one off-chain transfer in every channel, all at once (see
// scale.mjs for the process layout and the open-file limit). Each case runs in a fresh process.
//
// 5,000 and 10,000 channels take the node minutes to open on this 2-core machine: they run only
// with BENCH_CHANNELS_LARGE=1, which keeps `pnpm bench` (three runs of every case) within its ten
// minutes; every case fails rather than run past its deadline.
import { runChannels } from './scale.mjs';

const scale = (n, deadlineMs) => ({ unit: 'ms to open all', ours: async () => ({ run: () => runChannels(n, { transfers: 1, deadlineMs }) }) });

export const cases = {
  '1,000 channels: open all at once, then a transfer in each': scale(1_000, 110_000),
  ...(process.env.BENCH_CHANNELS_LARGE === '1' && {
    '5,000 channels: open all at once, then a transfer in each': scale(5_000, 110_000),
    '10,000 channels (as many as the open-file limit allows): open all at once, then a transfer in each': scale(10_000, 600_000),
  }),
};
