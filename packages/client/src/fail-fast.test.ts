/**
 * A fatal report while opening rejects `opened` at once (within 1 s of the frame's arrival at the
 * transport, not at `timeouts.open`) with a typed error carrying the node's code and words; a
 * close the balances cannot pay says so. Against @ch/node and the real node where both apply.
 */
import { generateKeyPair, signTx } from '@ch/codec';
import { DataCode } from '@ch/rpc';
import { WebSocketServer } from 'ws';
import { afterEach, describe, expect, test } from 'vitest';
import { Channel } from './channel.js';
import { ChannelErrorKind, isChannelError, NodeReportError, RefusedError, RpcRequestError, AbortCode, type ChannelError } from './errors.js';
import type { Signer } from './signer.js';
import { channelPort, describeOnBothNodes, openOn, optionsOn } from './test-support/counterparts.js';
import { openOptions, startTestNode } from './test-support/pair.js';
import { SEED_TERMS } from './test-support/terms.js';
import { connectWebSocket, type TransportFactory } from './transport.js';
import type { RunningNode } from '@ch/node';

/** Longer than each test's own deadline (30 s): a rejection within it comes from the report, not from `timeouts.open`. */
const OPEN_TIMEOUT = 60_000;
const FAST_MS = 1_000;

/** The default transport, noting when each frame arrives. */
function timedTransport(): { factory: TransportFactory; arrivalOf(match: (text: string) => boolean): number | undefined } {
  const frames: { at: number; text: string }[] = [];
  return {
    factory: (url, handlers, timeoutMs) =>
      connectWebSocket(
        url,
        {
          onMessage: (text) => {
            frames.push({ at: performance.now(), text });
            handlers.onMessage(text);
          },
          onClose: handlers.onClose,
        },
        timeoutMs,
      ),
    arrivalOf: (match) => frames.find((f) => match(f.text))?.at,
  };
}

/** How long after the frame `match` picks `opened` rejected, and with what. */
async function rejection(channel: Channel, transport: ReturnType<typeof timedTransport>, match: (text: string) => boolean): Promise<{ error: ChannelError; delayMs: number }> {
  const error = await channel.opened.then(
    () => {
      throw new Error('the channel opened');
    },
    (e: unknown) => e as ChannelError,
  );
  const rejectedAt = performance.now();
  const arrived = transport.arrivalOf(match);
  if (arrived === undefined) throw new Error(`no such frame arrived; rejected with ${String(error)}`);
  return { error, delayMs: rejectedAt - arrived };
}

/** The measured delay, in the test output. */
function logDelay(delayMs: number): void {
  console.log(`${expect.getState().currentTestName}: rejected ${delayMs.toFixed(1)} ms after the report arrived`);
}

describeOnBothNodes('fatal opening errors', (counterpart) => {
  test('an unknown participant: the node refuses the connection with 3 / 1011 "Participant not found"', async () => {
    const transport = timedTransport();
    const stranger = generateKeyPair();
    const channel = Channel.connect({ ...optionsOn(counterpart(), [4, 5], 'responder', channelPort()), initiatorId: stranger.publicKey, transport: transport.factory });
    const transfer = channel.transfer(stranger.publicKey, counterpart().accounts[5]!.id, 1n);
    transfer.catch(() => undefined);
    const { error, delayMs } = await rejection(channel, transport, (text) => text.includes('"error"'));
    logDelay(delayMs);
    expect(error).toBeInstanceOf(RpcRequestError);
    expect((error as RpcRequestError).code).toBe(3);
    expect((error as RpcRequestError).hasDataCode(DataCode.PARTICIPANT_NOT_FOUND)).toBe(true);
    expect(error.message).toMatch(/\(1011 Participant not found\): the node has no account/);
    expect(delayMs).toBeLessThan(FAST_MS);
    // What was queued fails with the same error, and the channel is over.
    await expect(transfer).rejects.toBe(error);
    expect(channel.status).toBe('disconnected');
  }, 30_000);

  test('a negative amount: the node refuses the connection with 3 / 105 "Value too low"', async () => {
    const transport = timedTransport();
    const channel = Channel.connect({ ...optionsOn(counterpart(), [4, 5], 'responder', channelPort()), initiatorAmount: -1n, transport: transport.factory });
    const { error, delayMs } = await rejection(channel, transport, (text) => text.includes('"error"'));
    logDelay(delayMs);
    expect(error).toBeInstanceOf(RpcRequestError);
    expect((error as RpcRequestError).hasDataCode(DataCode.VALUE_TOO_LOW)).toBe(true);
    expect(delayMs).toBeLessThan(FAST_MS);
  }, 30_000);

  test('a signer with the wrong key: the client refuses its create tx and the opening ends', async () => {
    const transport = timedTransport();
    const other = generateKeyPair();
    const wrongKey: Signer = { sign: (tx, context) => signTx(tx, other.secretKey, context.networkId) };
    const port = channelPort();
    const R = Channel.connect(optionsOn(counterpart(), [0, 1], 'responder', port));
    const I = Channel.connect({ ...optionsOn(counterpart(), [0, 1], 'initiator', port), signer: wrongKey, transport: transport.factory });
    try {
      const { error, delayMs } = await rejection(I, transport, (text) => text.includes('channels.sign.initiator_sign'));
      logDelay(delayMs);
      expect(error).toBeInstanceOf(RefusedError);
      expect((error as RefusedError).code).toBe(AbortCode.SIGNER_FAILED);
      expect(delayMs).toBeLessThan(FAST_MS);
      expect(I.status).toBe('disconnected');
    } finally {
      I.disconnect();
      R.disconnect();
    }
  }, 30_000);

  test("the node's own timeout: its info `timeout` ends the opening, not our 60 s", async () => {
    const transport = timedTransport();
    // No responder ever comes: the initiator's node gives up after its `accept` timer.
    const channel = Channel.connect({ ...optionsOn(counterpart(), [6, 7], 'initiator', channelPort()), nodeTimeouts: { accept: 300 }, transport: transport.factory });
    const { error, delayMs } = await rejection(channel, transport, (text) => text.includes('"timeout"'));
    logDelay(delayMs);
    expect(error).toBeInstanceOf(NodeReportError);
    expect((error as NodeReportError).report).toBe('timeout');
    expect(delayMs).toBeLessThan(FAST_MS);
  }, 30_000);

  test("a close fee above the balances is the node's 3 / 1001, and the error says what to do", async () => {
    const { I, close } = await openOn(counterpart(), [2, 3]);
    try {
      const error = await I.shutdown({ fee: SEED_TERMS.initiatorAmount + SEED_TERMS.responderAmount + 1n }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RpcRequestError);
      expect((error as RpcRequestError).code).toBe(3);
      expect((error as RpcRequestError).hasDataCode(DataCode.INSUFFICIENT_BALANCE)).toBe(true);
      expect((error as Error).message).toMatch(/the close fee exceeds the channel's balances; pass a lower `fee`/);
      // Nothing was signed: the channel stays open.
      expect(I.status).toBe('open');
    } finally {
      close();
    }
  }, 60_000);
});

describe('fatal opening errors · ch-node only', () => {
  let node: RunningNode | undefined;
  afterEach(async () => {
    await node?.stop();
    node = undefined;
  });

  // The real node (7.2.2) drops its `channels.error` reports: sc_ws_api's `event_to_payload`
  // matches `{error, Msg}` against the already bound report map, the handler catches the
  // case_clause and sends nothing, so its FSM waits silently for a signature until it times out.
  test('a wrong network id: the node reports bad_signature for the create tx', async () => {
    const [i, r] = [generateKeyPair(), generateKeyPair()];
    node = await startTestNode('current', [i, r]);
    const transport = timedTransport();
    const side = { networkId: 'ae_not_this_node', timeouts: { open: OPEN_TIMEOUT } };
    const R = Channel.connect(openOptions(node, i, r, 'responder', side));
    const I = Channel.connect(openOptions(node, i, r, 'initiator', { ...side, transport: transport.factory }));
    const errors: ChannelError[] = [];
    I.on('error', (e) => errors.push(e));
    try {
      const { error, delayMs } = await rejection(I, transport, (text) => text.includes('channels.error'));
      logDelay(delayMs);
      expect(error).toBeInstanceOf(NodeReportError);
      expect((error as NodeReportError).report).toBe('bad_signature');
      expect(error.message).toMatch(/check `networkId`/);
      expect(errors).toContain(error);
      expect(delayMs).toBeLessThan(FAST_MS);
    } finally {
      I.disconnect();
      R.disconnect();
    }
  }, 30_000);

  test("a socket closed with a reason rejects with the code and the reason", async () => {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    server.on('connection', (socket) => socket.close(1011, 'Participant not found'));
    try {
      const [i, r] = [generateKeyPair(), generateKeyPair()];
      const url = `ws://127.0.0.1:${(server.address() as { port: number }).port}/channel`;
      const started = performance.now();
      const error = await Channel.open({ ...openOptions({ url } as RunningNode, i, r, 'initiator'), timeouts: { open: OPEN_TIMEOUT } }).catch((e: unknown) => e);
      expect(isChannelError(error, ChannelErrorKind.DISCONNECTED)).toBe(true);
      expect((error as Error).message).toBe('the WebSocket closed (code 1011: Participant not found)');
      expect(performance.now() - started).toBeLessThan(FAST_MS);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
