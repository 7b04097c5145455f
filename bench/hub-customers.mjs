// The hub bench's customers process: N @ch/client channels, each customer the initiator with its
// own key and the hub the responder, every customer sending 1 aetto transfers to the hub as fast as
// they are co-signed. Forked by bench/hub-run.mjs; the same for every hub measured.
//   → { type: 'open', url, hubId, customers: [secret key hex] }   ← { type: 'opened' }
//   → { type: 'start' }  → { type: 'mark' } (counting starts)  → { type: 'stop' }  ← { type: 'report', ... }
import { Channel, MemoryStore, keyPairFromSecret, secretKeySigner } from '@ch/client';
import { oursSend } from './e2e-drivers.mjs';
import { AMOUNTS, NETWORK_ID, OPENING, PORT, inOrder, sendLoop, tally, withDeadline } from './hub-drivers.mjs';

/** How long the loops may take to finish their transfers in flight once stopped. */
const STOP_MS = 15_000;

const on = (type) => new Promise((resolve) => process.on('message', (m) => m.type === type && resolve(m)));
const [open, start, mark, stop] = ['open', 'start', 'mark', 'stop'].map(on);
process.send({ type: 'ready' });
process.once('disconnect', () => process.exit());

const { url, hubId, customers } = await open;
const keys = customers.map((hex) => keyPairFromSecret(Buffer.from(hex, 'hex')));
const hub = { publicKey: hubId };
const channels = await inOrder(keys.length, OPENING, (i) =>
  Channel.open({ url, networkId: NETWORK_ID, initiatorId: keys[i].publicKey, responderId: hubId, ...AMOUNTS, port: PORT, role: 'initiator', signer: secretKeySigner(keys[i].secretKey), store: new MemoryStore(), timeouts: { open: 120_000 } }),
);
process.send({ type: 'opened' });

await start;
const counts = tally();
const loops = channels.map((c, i) => sendLoop(() => oursSend(c, undefined, keys[i], hub)('initiator'), counts));
await mark;
counts.mark();
await stop;
counts.stop();
const report = counts.report();
await withDeadline(Promise.all(loops), STOP_MS, 'the customers finishing their transfers').catch((e) => (report.firstError ??= e.message));
process.send({ type: 'report', ...report });
