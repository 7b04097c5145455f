// The hub bench's node process: @ch/node with the accounts it is sent, its limits raised for 2N
// sessions at once, as an operator serving that many channels raises channels.max_count on the
// real node. Run by bench/hub-run.mjs (fork); answers with its url, exits with its parent.
import { startNode } from '@ch/node';

// Listening before saying so: a message sent to a process with no listener is lost.
const message = new Promise((resolve) => process.once('message', resolve));
process.send({ type: 'ready' });
const { networkId, accounts } = await message;
// Two sockets per channel: the hub's and its customer's (N + 1 accounts).
const sockets = 2 * accounts.length + 16;
// Every client of one process connects within moments; the rates are raised too, so that the
// bench measures the clients and never the node's throttle.
const limits = { maxConnections: sockets, maxPendingConnections: sockets, maxSessions: sockets, messagesPerSecond: 100_000, messageBurst: 200_000, handshakeTimeoutMs: 120_000 };
const node = await startNode({ networkId, profile: 'current', accounts: accounts.map((publicKey) => ({ publicKey, balance: 10n ** 20n })), limits });
process.send({ type: 'listening', url: node.url });
process.once('disconnect', () => process.exit());
