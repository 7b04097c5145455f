/**
 * Reconnecting to a node that misbehaves, or that came back as a new FSM, through the scripted
 * node over real WebSockets: a state both signed is never dropped on the node's word; a node that
 * takes every socket and drops it again is given up on; an operation whose every start goes down
 * with the socket fails; a round left open on an FSM that is gone is settled by the new FSM's
 * state, and nothing meant for the old one reaches it; the record's lock is released only after
 * the last write, and nothing is written after.
 */
import { applyUpdates, encode, encodeCallStateTree, encodeStateTrees, generateKeyPair, signTx, Tag, type Encoded, type KeyPair, type OffChainState } from '@ch/codec';
import { afterEach, describe, expect, test } from 'vitest';
import { Channel } from './channel.js';
import { StoreError, StoreErrorCode, type ChannelError } from './errors.js';
import type { Role } from './signer.js';
import { MemoryStore, type ChannelRecord, type ChannelStore, type RecordLock } from './store/store.js';
import { initiatorOptions, scriptOpen, startScriptedNode, unsigned, type Json, type ScriptedChannel, type ScriptedConnection, type ScriptedNode } from './test-support/scripted-node.js';
import { NETWORK_ID, SEED_TERMS } from './test-support/terms.js';
import { until } from './test-support/until.js';

const FSM_ID = encode(new Uint8Array(32).fill(7), 'ba');
const NEW_FSM_ID = encode(new Uint8Array(32).fill(9), 'ba');
const RECONNECT = { attempts: 3, baseDelayMs: 10, maxDelayMs: 50 };

let node: ScriptedNode | undefined;
let channel: Channel | undefined;
afterEach(async () => {
  channel?.disconnect();
  await node?.stop();
  node = undefined;
  channel = undefined;
});

/** A scripted node whose connections come one by one (`next`), and each new one to `onReconnect` once the first is taken. */
async function scripted(onReconnect?: (conn: ScriptedConnection, n: number) => void): Promise<{ next(): Promise<ScriptedConnection>; count(): number }> {
  const waiting: ((c: ScriptedConnection) => void)[] = [];
  const queued: ScriptedConnection[] = [];
  let count = 0;
  node = await startScriptedNode((conn) => {
    count++;
    if (count > 1 && onReconnect) return onReconnect(conn, count);
    const taker = waiting.shift();
    if (taker) taker(conn);
    else queued.push(conn);
  });
  return {
    next: () => (queued.length > 0 ? Promise.resolve(queued.shift()!) : new Promise((resolve) => waiting.push(resolve))),
    count: () => count,
  };
}

/** An initiator client opened on the scripted node's first connection. */
async function openOn(next: () => Promise<ScriptedConnection>, store: ChannelStore = new MemoryStore()): Promise<{ conn: ScriptedConnection; opened: ScriptedChannel; i: KeyPair; r: KeyPair; errors: ChannelError[] }> {
  const [i, r] = [generateKeyPair(), generateKeyPair()];
  channel = Channel.connect({
    ...initiatorOptions(node!.url, i, r),
    store,
    reconnect: RECONNECT,
    keepAlive: false,
    timeouts: { open: 5000, update: 20_000, request: 2000 },
  });
  const errors: ChannelError[] = [];
  channel.on('error', (e) => errors.push(e));
  const conn = await next();
  const opened = await scriptOpen(conn, i, r);
  await channel.opened;
  return { conn, opened, i, r, errors };
}

/** The peer's transfer of `amount` to us in the round after `from`, signed by the peer. */
function peerTransfer(channelId: Encoded<'ch'>, from: { round: bigint; state: OffChainState }, r: KeyPair, i: KeyPair, amount: bigint): { tx: Encoded<'tx'>; state: OffChainState; updates: Json[] } {
  const updates = [{ op: 'OffChainTransfer', from: r.publicKey, to: i.publicKey, amount }] as const;
  const state = applyUpdates(from.state, updates, SEED_TERMS.channelReserve);
  const tx = unsigned({ tag: Tag.ChannelOffChainTx, version: 2, channelId, round: from.round + 1n, stateHash: encode(state.stateHash(), 'st') });
  return { tx: signTx(tx, r.secretKey, NETWORK_ID), state, updates: updates as unknown as Json[] };
}

/** The node's off-chain state reply for `tx` (trees of `state`), nothing half-signed. */
function offChainState(tx: Encoded<'tx'>, state: OffChainState): Json {
  return { calls: encodeCallStateTree(), half_signed_tx: '', signed_tx: tx, trees: encodeStateTrees({ accounts: state.accountEntries() }) };
}

/** The client reestablishes on `conn`: the FSM (`fsmId`) is up, as the node reports it. */
function fsmUp(conn: ScriptedConnection, channelId: Encoded<'ch'>, fsmId: Encoded<'ba'>): void {
  conn.channelId = channelId;
  conn.notify('channels.info', { event: 'fsm_up', fsm_id: fsmId });
}

describe('a co-signed pending state', () => {
  test("back with the FSM that kept running, a node that says it fell back from the peer's round we co-signed does not make the client drop it", { timeout: 20_000 }, async () => {
    const { next } = await scripted();
    const store = new MemoryStore();
    const { conn, opened, i, r, errors } = await openOn(next, store);
    const proposal = peerTransfer(opened.channelId, { round: 1n, state: opened.state }, r, i, 7n);
    conn.notify('channels.sign.update_ack', { signed_tx: proposal.tx, updates: proposal.updates as never });
    const ack = await conn.nextMethod('channels.update_ack', 5000);
    const coSigned = (ack.params as Json).signed_tx as Encoded<'tx'>;
    conn.reply(ack, 'ok');

    // The socket goes before the node reports the round; back, the node says round 1 and holds nothing half-signed.
    conn.close();
    const again = await next();
    fsmUp(again, opened.channelId, FSM_ID);
    const asked = await again.nextMethod('channels.get.offchain_state', 5000);
    again.reply(asked, offChainState(opened.createTx, opened.state));
    again.notify('channels.info', { event: 'open' });

    await until(() => channel!.round === 2n, 5000);
    expect(channel!.state?.tx).toBe(coSigned);
    expect(channel!.balanceOf(i.publicKey)).toBe(proposal.state.balanceOf(i.publicKey));
    const record = await store.load(opened.channelId, 'initiator');
    expect([record?.state.round, record?.state.tx, record?.pending]).toEqual([2n, coSigned, undefined]);
    expect(errors.map((e) => e.message)).toContainEqual(expect.stringMatching(/fell back from round 2, which both participants signed/));
  });
});

describe('reconnect attempts', () => {
  test('a node that takes every new socket and drops it before the state is checked is given up on: the queued transfer fails', { timeout: 20_000 }, async () => {
    const known: { channelId?: Encoded<'ch'> } = {};
    const { next, count } = await scripted((conn) => {
      fsmUp(conn, known.channelId!, FSM_ID);
      conn.notify('channels.info', { event: 'open' });
      setTimeout(() => conn.close(), 20);
    });
    const { conn, opened, i, r } = await openOn(next);
    known.channelId = opened.channelId;
    const reconnected: unknown[] = [];
    channel!.on('reconnected', (e) => reconnected.push(e));
    conn.close();
    await until(() => channel!.status === 'reconnecting' || channel!.status === 'reestablishing', 5000);
    const transfer = channel!.transfer(i.publicKey, r.publicKey, 1n);
    await expect(transfer).rejects.toMatchObject({ kind: 'disconnected' });
    await until(() => channel!.status === 'disconnected', 5000);
    // The first socket, then each of the attempts; never counted back open.
    expect([count(), reconnected]).toEqual([1 + RECONNECT.attempts, []]);
  });

  test('an operation whose every start goes down with the socket fails, typed, after a bounded number of starts', { timeout: 20_000 }, async () => {
    const known: { opened?: ScriptedChannel } = {};
    const starts: number[] = [];
    const { next, count } = await scripted((conn, n) => {
      const opened = known.opened!;
      fsmUp(conn, opened.channelId, FSM_ID);
      void (async () => {
        const asked = await conn.nextMethod('channels.get.offchain_state', 5000);
        conn.reply(asked, offChainState(opened.createTx, opened.state));
        conn.notify('channels.info', { event: 'open' });
        // Each time the transfer is started, the socket goes.
        await conn.nextMethod('channels.update.new', 5000);
        starts.push(n);
        conn.close();
      })().catch(() => conn.close());
    });
    const session = await openOn(next);
    known.opened = session.opened;
    const { conn, i, r } = session;
    const transfer = channel!.transfer(i.publicKey, r.publicKey, 1n);
    await conn.nextMethod('channels.update.new', 5000);
    conn.close();
    const error = await transfer.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ kind: 'disconnected', message: expect.stringMatching(/lost each of the 4 times it was started; it was never signed/) });
    // The first start and three more, each on a socket that came back open at round 1; the fifth socket is asked nothing.
    expect([starts.length, count()]).toEqual([3, 5]);
    await until(() => channel!.status === 'open', 5000);
    expect(channel!.round).toBe(1n);
  });
});

describe('back on a new FSM', () => {
  test('our signature was out: the new FSM is not sent it again, and its state, without our round, settles the transfer as not applied', { timeout: 20_000 }, async () => {
    const { next } = await scripted();
    const store = new MemoryStore();
    const { conn, opened, i, r } = await openOn(next, store);
    const transfer = channel!.transfer(i.publicKey, r.publicKey, 3n);
    const request = await conn.nextMethod('channels.update.new', 5000);
    conn.reply(request, 'ok');
    // Our own transfer: unsigned, for us to sign first.
    const updates = [{ op: 'OffChainTransfer', from: i.publicKey, to: r.publicKey, amount: 3n }] as const;
    const state = applyUpdates(opened.state, updates, SEED_TERMS.channelReserve);
    const ours = unsigned({ tag: Tag.ChannelOffChainTx, version: 2, channelId: opened.channelId, round: 2n, stateHash: encode(state.stateHash(), 'st') });
    conn.notify('channels.sign.update', { signed_tx: ours, updates: updates as never });
    const signed = await conn.nextMethod('channels.update', 5000);
    conn.reply(signed, 'ok');

    // The node restarted: a new FSM from round 1.
    conn.close();
    const again = await next();
    fsmUp(again, opened.channelId, NEW_FSM_ID);
    again.notify('channels.info', { event: 'open' });
    again.notify('channels.update', { state: opened.createTx });

    await expect(transfer).rejects.toMatchObject({ kind: 'disconnected', message: expect.stringMatching(/nothing of it was applied/) });
    await until(() => channel!.status === 'open', 5000);
    expect([channel!.round, channel!.fsmId]).toEqual([1n, NEW_FSM_ID]);
    expect((await store.load(opened.channelId, 'initiator'))?.fsmId).toBe(NEW_FSM_ID);
    // Nothing meant for the old FSM went to the new one.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(again.received.map((m) => m.method)).toEqual([]);

    // And the channel goes on from round 1.
    const after = channel!.transfer(i.publicKey, r.publicKey, 3n);
    const asked = await again.nextMethod('channels.update.new', 5000);
    again.reply(asked, 'ok');
    again.notify('channels.sign.update', { signed_tx: ours, updates: updates as never });
    const resigned = await again.nextMethod('channels.update', 5000);
    again.reply(resigned, 'ok');
    again.notify('channels.update', { state: signTx((resigned.params as Json).signed_tx as Encoded<'tx'>, r.secretKey, NETWORK_ID) });
    expect(await after).toBe(2n);
  });
});

/** A store (a user may bring any) whose saves wait while `hold` is set, and that logs its writes and its lock's release. */
class GatedStore implements ChannelStore {
  readonly inner = new MemoryStore();
  readonly log: string[] = [];
  hold: Promise<void> | undefined;
  /** Saves called and not yet written. */
  waiting = 0;

  load(channelId: Encoded<'ch'>, role?: Role): Promise<ChannelRecord | undefined> {
    return this.inner.load(channelId, role);
  }

  async save(record: ChannelRecord): Promise<void> {
    this.waiting++;
    await this.hold;
    this.waiting--;
    await this.inner.save(record);
    this.log.push(`save ${record.state.round}${record.pending ? `+${record.pending.round}` : ''}`);
  }

  async lock(channelId: Encoded<'ch'>, role: Role): Promise<RecordLock> {
    const lock = await this.inner.lock(channelId, role);
    return {
      release: async () => {
        this.log.push('release');
        await lock.release();
      },
    };
  }
}

describe("the record's lock", () => {
  test('disconnect() while a save is under way releases the lock after it; a state adopted later is not written', { timeout: 20_000 }, async () => {
    const { next } = await scripted();
    const store = new GatedStore();
    const { conn, opened, i, r, errors } = await openOn(next, store);
    let open!: () => void;
    store.hold = new Promise((resolve) => (open = resolve));
    const proposal = peerTransfer(opened.channelId, { round: 1n, state: opened.state }, r, i, 7n);
    conn.notify('channels.sign.update_ack', { signed_tx: proposal.tx, updates: proposal.updates as never });
    // The state our signature completes is being saved; the node's report of it waits behind.
    await until(() => store.waiting > 0, 5000);
    conn.notify('channels.update', { state: signTx(proposal.tx, i.secretKey, NETWORK_ID) });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const saves = store.log.length;

    channel!.disconnect();
    // The save under way holds the lock: no other instance takes it yet.
    await expect(store.lock(opened.channelId, 'initiator')).rejects.toMatchObject({ code: StoreErrorCode.LOCKED });
    open();
    await until(() => store.log.includes('release'), 5000);
    await until(() => channel!.status === 'disconnected', 5000);
    await until(() => errors.some((e) => e instanceof StoreError), 5000);
    expect(store.log.slice(saves)).toEqual(['save 1+2', 'release']);
    const refused = errors.find((e): e is StoreError => e instanceof StoreError);
    expect([refused?.code, refused?.message]).toEqual([StoreErrorCode.LOCKED, expect.stringMatching(/released its record.*round 2 is not written/)]);
    // The lock is free for another instance now.
    await expect(store.lock(opened.channelId, 'initiator').then((l) => l.release())).resolves.toBeUndefined();
    expect(channel!.round).toBe(2n);
  });
});
