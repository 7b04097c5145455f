// Scale of the local node (packages/node/dist): N channels opened at once on one node process by
// 2N raw JSON WebSocket clients, then one off-chain transfer in every channel, all at once (see
// scale.mjs for the process layout and the open-file limit). Each case runs in a fresh process.
//
// One run per N (`repeat: 1`): the three together take minutes on this 2-core machine, and a
// second and third run would not fit `pnpm bench` in its ten minutes. Every case fails rather
// than run past its deadline.
import { runChannels } from './scale.mjs';

const scale = (n, deadlineMs) => ({
  unit: 'ms to open all',
  repeat: 1,
  scale: { channels: n },
  ours: async () => ({ run: () => runChannels(n, { transfers: 1, deadlineMs }) }),
});

export const cases = {
  '1,000 channels: open all at once, then a transfer in each': scale(1_000, 60_000),
  '5,000 channels: open all at once, then a transfer in each': scale(5_000, 150_000),
  '10,000 channels: open all at once, then a transfer in each': scale(10_000, 300_000),
};
