/**
 * What the client checks before it signs anything the node asks it to sign. Each check is pure:
 * the sign request and the client's own view of the channel in, the outcome out, which is either
 * what signing leads to (the next co-signed state, for txs that change the off-chain state) or an
 * abort code with the reason. The state hash is always the client's own recomputation
 * (`applyUpdates` on its last co-signed state), never taken from the node.
 */
import {
  applyUpdates,
  buildTx,
  bytesEqual,
  channelIdFromCreateTx,
  encode,
  initialState,
  poiHash,
  rlpEncode,
  Tag,
  unpackTx,
  verifyTx,
  type Encoded,
  type OffChainState,
  type OffChainUpdate as StateUpdate,
  type SignedTx,
  type UnsignedTx,
} from '@ch/codec';
import type { OffChainUpdate, SignRequestMethod } from '@ch/rpc';
import { AbortCode } from './errors.js';
import { SIGNED_TX, signedParts } from './signed-parts.js';
import type { Role } from './signer.js';

/** The channel as agreed when it was opened. */
export interface ChannelTerms {
  readonly initiatorId: Encoded<'ak'>;
  readonly responderId: Encoded<'ak'>;
  readonly initiatorAmount: bigint;
  readonly responderAmount: bigint;
  readonly pushAmount: bigint;
  readonly channelReserve: bigint;
  readonly lockPeriod: bigint;
}

/** A state both parties signed: the tx, its round and the balances it hashes. */
export interface CoSignedState {
  readonly round: bigint;
  readonly tx: Encoded<'tx'>;
  readonly state: OffChainState;
}

/** What the checks know of the channel. */
export interface ChannelView {
  readonly role: Role;
  readonly networkId: string;
  readonly terms: ChannelTerms;
  /** Undefined until the create tx is known. */
  readonly channelId: Encoded<'ch'> | undefined;
  /** The last co-signed state; undefined until the create tx is co-signed. */
  readonly latest: CoSignedState | undefined;
}

/** What this client asked the node for, when the request is its own. */
export type Expectation =
  | { readonly kind: 'update'; readonly updates: readonly StateUpdate[] }
  | { readonly kind: 'deposit' | 'withdraw'; readonly amount: bigint }
  | { readonly kind: 'none' };

export interface Checked {
  readonly inner: UnsignedTx;
  /** The co-signed state this tx becomes once both have signed, for txs that set a new round. */
  readonly next?: CoSignedState;
  /** Set by the create tx: the channel it founds. */
  readonly channelId?: Encoded<'ch'>;
}

export type CheckResult = { readonly ok: true; readonly value: Checked } | { readonly ok: false; readonly code: AbortCode; readonly reason: string };

const refuse = (code: AbortCode, reason: string): CheckResult => ({ ok: false, code, reason });

/** Per sign request: the tx kind it must carry, and whether it is the peer's proposal (which must carry the peer's signature). */
const REQUESTS: { readonly [M in SignRequestMethod]: { readonly tag: number; readonly fromPeer: boolean } } = {
  'channels.sign.initiator_sign': { tag: Tag.ChannelCreateTx, fromPeer: false },
  'channels.sign.responder_sign': { tag: Tag.ChannelCreateTx, fromPeer: true },
  'channels.sign.update': { tag: Tag.ChannelOffChainTx, fromPeer: false },
  'channels.sign.update_ack': { tag: Tag.ChannelOffChainTx, fromPeer: true },
  'channels.sign.deposit_tx': { tag: Tag.ChannelDepositTx, fromPeer: false },
  'channels.sign.deposit_ack': { tag: Tag.ChannelDepositTx, fromPeer: true },
  'channels.sign.withdraw_tx': { tag: Tag.ChannelWithdrawTx, fromPeer: false },
  'channels.sign.withdraw_ack': { tag: Tag.ChannelWithdrawTx, fromPeer: true },
  'channels.sign.shutdown_sign': { tag: Tag.ChannelCloseMutualTx, fromPeer: false },
  'channels.sign.shutdown_sign_ack': { tag: Tag.ChannelCloseMutualTx, fromPeer: true },
  'channels.sign.close_solo_sign': { tag: Tag.ChannelCloseSoloTx, fromPeer: false },
  'channels.sign.slash_tx': { tag: Tag.ChannelSlashTx, fromPeer: false },
  'channels.sign.settle_sign': { tag: Tag.ChannelSettleTx, fromPeer: false },
  'channels.sign.snapshot_solo_tx': { tag: Tag.ChannelSnapshotSoloTx, fromPeer: false },
  'channels.sign.force_progress_tx': { tag: Tag.ChannelForceProgressTx, fromPeer: false },
};

/** Whether a sign request is for the peer's proposal (an ack) rather than this client's own. */
export function isPeerProposal(method: SignRequestMethod): boolean {
  return REQUESTS[method].fromPeer;
}

export function myAccount(view: Pick<ChannelView, 'role' | 'terms'>): Encoded<'ak'> {
  return view.role === 'initiator' ? view.terms.initiatorId : view.terms.responderId;
}

export function peerAccount(view: Pick<ChannelView, 'role' | 'terms'>): Encoded<'ak'> {
  return view.role === 'initiator' ? view.terms.responderId : view.terms.initiatorId;
}

/** The tx inside a signed-tx wrapper, and the wrapper (undefined for a bare tx). */
export function unwrap(tx: Encoded<'tx'>): { signed: SignedTx | undefined; inner: UnsignedTx } {
  const outer = unpackTx(tx);
  return outer.tag === Tag.SignedTx ? { signed: outer, inner: outer.encodedTx } : { signed: undefined, inner: outer };
}

/** A version of a tx whose signatures by `signers` were already verified. */
export interface Verified {
  readonly tx: Encoded<'tx'>;
  readonly signers: readonly Encoded<'ak'>[];
}

/** Whether two txs, signed or not, carry the same transaction. */
export function sameTransaction(a: Encoded<'tx'>, b: Encoded<'tx'>): boolean {
  return a === b || bytesEqual(signedParts(a).tx, signedParts(b).tx);
}

/**
 * True if every one of `accounts` signed `tx` under `networkId`. With `known`, a version of the same
 * tx already verified, only the signatures `known` lacks are verified: the co-signed state the node
 * reports is the tx we sent plus the peer's signature, so one verification instead of two to four.
 */
export function signedBy(tx: Encoded<'tx'>, networkId: string, accounts: readonly Encoded<'ak'>[], known?: Verified): boolean {
  try {
    if (known !== undefined && tx === known.tx) return allSigned(known.signers, accounts);
    const parts = signedParts(tx);
    const old = known && signedParts(known.tx);
    if (old === undefined || !bytesEqual(parts.tx, old.tx)) return allSigned(verifyTx(parts.bytes, networkId, accounts).signers, accounts);
    const trusted = old.signatures.every((sig) => hasSignature(parts.signatures, sig)) ? known!.signers : [];
    const rest = accounts.filter((a) => !trusted.includes(a));
    if (rest.length === 0) return true;
    const fresh = parts.signatures.filter((sig) => !hasSignature(old.signatures, sig));
    return allSigned(verifyTx(rlpEncode([SIGNED_TX.tag, SIGNED_TX.vsn, fresh, parts.tx]), networkId, rest).signers, rest);
  } catch {
    return false;
  }
}

/** A channel tx carries a signature per party, two: a scan beats building an index. */
const hasSignature = (signatures: readonly Uint8Array[], signature: Uint8Array): boolean => signatures.some((s) => bytesEqual(s, signature));

const allSigned = (signers: readonly Encoded<'ak'>[], accounts: readonly Encoded<'ak'>[]): boolean => accounts.every((a) => signers.includes(a));

/** Whether two txs (signed or not) wrap the same transaction. */
function sameInnerTx(a: UnsignedTx, b: UnsignedTx): boolean {
  return buildTx(a) === buildTx(b);
}

/** The node's updates as the state module takes them; undefined for contract updates, which need a VM. */
export function toStateUpdates(updates: readonly OffChainUpdate[]): StateUpdate[] | undefined {
  const out: StateUpdate[] = [];
  for (const u of updates) {
    switch (u.op) {
      case 'OffChainTransfer':
        out.push({ op: u.op, from: u.from, to: u.to, amount: u.amount });
        break;
      case 'OffChainDeposit':
        out.push({ op: u.op, from: u.from, amount: u.amount });
        break;
      case 'OffChainWithdrawal':
        out.push({ op: u.op, to: u.to, amount: u.amount });
        break;
      case 'OffChainMeta':
        out.push({ op: u.op, data: u.data });
        break;
      default:
        return undefined;
    }
  }
  return out;
}

function updateKey(u: StateUpdate): string {
  switch (u.op) {
    case 'OffChainTransfer':
      return `t:${u.from}:${u.to}:${u.amount}`;
    case 'OffChainDeposit':
      return `d:${u.from}:${u.amount}`;
    case 'OffChainWithdrawal':
      return `w:${u.to}:${u.amount}`;
    case 'OffChainMeta':
      return `m:${u.data}`;
    default:
      return `?:${u.op}`;
  }
}

export function sameUpdates(a: readonly StateUpdate[], b: readonly StateUpdate[]): boolean {
  return a.length === b.length && a.every((u, i) => updateKey(u) === updateKey(b[i]!));
}

/**
 * Checks a sign request: decodes it, then checks the kind, the peer's signature on its proposals,
 * and the contents of each kind of tx against the channel and what this client asked for.
 */
export function checkSignRequest(
  method: SignRequestMethod,
  view: ChannelView,
  tx: Encoded<'tx'>,
  updates: readonly OffChainUpdate[],
  expected: Expectation,
): CheckResult {
  const { tag, fromPeer } = REQUESTS[method];
  let inner: UnsignedTx;
  try {
    inner = unwrap(tx).inner;
  } catch (e) {
    return refuse(AbortCode.MALFORMED_TX, `the tx does not decode: ${(e as Error).message}`);
  }
  if (inner.tag !== tag) return refuse(AbortCode.WRONG_TX_KIND, `${method} must carry tx tag ${tag}, got ${inner.tag}`);
  if (inner.tag === Tag.ChannelCreateTx) return checkCreate(view, inner, tx, fromPeer);
  if (view.channelId === undefined || view.latest === undefined) return refuse(AbortCode.UNEXPECTED_REQUEST, `${method} before the channel is open`);
  if ('channelId' in inner && inner.channelId !== view.channelId) return refuse(AbortCode.WRONG_CHANNEL, `tx is for ${inner.channelId}, not ${view.channelId}`);
  if (fromPeer && !signedBy(tx, view.networkId, [peerAccount(view)])) return refuse(AbortCode.MISSING_SIGNATURE, "the peer's proposal lacks its valid signature");
  const latest = view.latest;
  switch (inner.tag) {
    case Tag.ChannelOffChainTx:
      return checkNewRound(view, inner, tx, latest, updates, expected);
    case Tag.ChannelDepositTx:
    case Tag.ChannelWithdrawTx: {
      const party = inner.tag === Tag.ChannelDepositTx ? inner.fromId : inner.toId;
      const kind = inner.tag === Tag.ChannelDepositTx ? 'deposit' : 'withdraw';
      if (party !== (fromPeer ? peerAccount(view) : myAccount(view))) return refuse(AbortCode.WRONG_PARTY, `${kind} by ${party}`);
      if (expected.kind === kind && inner.amount !== expected.amount) return refuse(AbortCode.WRONG_AMOUNT, `${kind} of ${inner.amount}, asked for ${expected.amount}`);
      const op = inner.tag === Tag.ChannelDepositTx ? 'OffChainDeposit' : 'OffChainWithdrawal';
      const listed = toStateUpdates(updates);
      const main = listed?.filter((u) => u.op !== 'OffChainMeta');
      const matches = main?.length === 1 && main[0]!.op === op && 'amount' in main[0]! && main[0].amount === inner.amount;
      if (!matches) return refuse(AbortCode.WRONG_UPDATES, `the updates do not list exactly the ${kind} of the tx`);
      return checkNewRound(view, inner, tx, latest, updates, { kind: 'none' });
    }
    case Tag.ChannelCloseMutualTx:
      return checkCloseMutual(view, inner, latest);
    case Tag.ChannelCloseSoloTx:
    case Tag.ChannelSlashTx:
    case Tag.ChannelSnapshotSoloTx:
      return checkSolo(view, inner, latest);
    case Tag.ChannelSettleTx:
      return inner.fromId === myAccount(view) ? { ok: true, value: { inner } } : refuse(AbortCode.WRONG_PARTY, `settle from ${inner.fromId}`);
    default:
      return refuse(AbortCode.UNVERIFIABLE_UPDATES, 'force progress runs a contract call, which this client cannot check');
  }
}

/** The create tx: the agreed parties, amounts, reserve, lock period, and the hash of the pushed initial state. */
function checkCreate(view: ChannelView, inner: Extract<UnsignedTx, { tag: typeof Tag.ChannelCreateTx }>, tx: Encoded<'tx'>, fromPeer: boolean): CheckResult {
  const t = view.terms;
  if (inner.initiatorId !== t.initiatorId || inner.responderId !== t.responderId) return refuse(AbortCode.WRONG_PARTY, 'the create tx names other parties');
  if (inner.initiatorAmount !== t.initiatorAmount || inner.responderAmount !== t.responderAmount) {
    return refuse(AbortCode.WRONG_AMOUNT, `create tx amounts ${inner.initiatorAmount}/${inner.responderAmount}, agreed ${t.initiatorAmount}/${t.responderAmount}`);
  }
  if (inner.channelReserve !== t.channelReserve || inner.lockPeriod !== t.lockPeriod) return refuse(AbortCode.WRONG_AMOUNT, 'create tx reserve or lock period differ from the agreed ones');
  const state = initialState({ initiator: t.initiatorId, responder: t.responderId, initiatorAmount: t.initiatorAmount, responderAmount: t.responderAmount, pushAmount: t.pushAmount });
  if (inner.stateHash !== encode(state.stateHash(), 'st')) return refuse(AbortCode.WRONG_STATE_HASH, 'the create tx does not hash the agreed initial balances');
  if (fromPeer && !signedBy(tx, view.networkId, [t.initiatorId])) return refuse(AbortCode.MISSING_SIGNATURE, "the create tx lacks the initiator's valid signature");
  let channelId: Encoded<'ch'>;
  try {
    channelId = channelIdFromCreateTx(inner);
  } catch (e) {
    return refuse(AbortCode.MALFORMED_TX, (e as Error).message);
  }
  return { ok: true, value: { inner, channelId, next: { round: 1n, tx, state } } };
}

/** Any tx that sets the next round: round = last + 1, and the state hash we compute for its updates. */
function checkNewRound(
  view: ChannelView,
  inner: UnsignedTx & { round: bigint; stateHash: Encoded<'st'> },
  tx: Encoded<'tx'>,
  latest: CoSignedState,
  updates: readonly OffChainUpdate[],
  expected: Expectation,
): CheckResult {
  const round = latest.round + 1n;
  if (inner.round !== round) return refuse(AbortCode.WRONG_ROUND, `round ${inner.round}, expected ${round}`);
  const listed = toStateUpdates(updates);
  if (listed === undefined) return refuse(AbortCode.UNVERIFIABLE_UPDATES, 'contract updates need the VM to check');
  if (expected.kind === 'update' && !sameUpdates(listed, expected.updates)) return refuse(AbortCode.WRONG_UPDATES, 'the updates are not the ones asked for');
  let state: OffChainState;
  try {
    state = applyUpdates(latest.state, listed, view.terms.channelReserve);
  } catch (e) {
    return refuse(AbortCode.INVALID_UPDATES, (e as Error).message);
  }
  if (inner.stateHash !== encode(state.stateHash(), 'st')) return refuse(AbortCode.WRONG_STATE_HASH, `state hash ${inner.stateHash} is not that of the listed updates`);
  return { ok: true, value: { inner, next: { round, tx, state } } };
}

/**
 * aesc_fsm `pay_close_mutual_fee/3`: each side pays half the fee (the initiator the odd unit),
 * unless one side cannot, in which case the other covers what is left.
 */
export function closeMutualAmounts(fee: bigint, initiator: bigint, responder: bigint): [bigint, bigint] | undefined {
  const ceil = (fee + 1n) / 2n;
  const floor = fee / 2n;
  if (initiator + responder < fee) return undefined;
  if (initiator >= ceil && responder >= floor) return [initiator - ceil, responder - floor];
  if (responder >= ceil && initiator >= floor) return [initiator - floor, responder - ceil];
  return initiator > responder ? [initiator - fee + responder, 0n] : [0n, responder - fee + initiator];
}

function checkCloseMutual(view: ChannelView, inner: Extract<UnsignedTx, { tag: typeof Tag.ChannelCloseMutualTx }>, latest: CoSignedState): CheckResult {
  const t = view.terms;
  if (inner.fromId !== t.initiatorId && inner.fromId !== t.responderId) return refuse(AbortCode.WRONG_PARTY, `close from ${inner.fromId}`);
  const i = latest.state.balanceOf(t.initiatorId) ?? 0n;
  const r = latest.state.balanceOf(t.responderId) ?? 0n;
  const expected = closeMutualAmounts(inner.fee, i, r);
  if (expected === undefined || inner.initiatorAmountFinal !== expected[0] || inner.responderAmountFinal !== expected[1]) {
    return refuse(AbortCode.WRONG_AMOUNT, `closing amounts ${inner.initiatorAmountFinal}/${inner.responderAmountFinal} do not match balances ${i}/${r} less the fee ${inner.fee}`);
  }
  return { ok: true, value: { inner } };
}

/**
 * Close solo, slash and snapshot put a state on chain: it must be our last co-signed one. An
 * off-chain round goes in the payload; a state set on chain (create, deposit, withdraw) is meant by
 * an empty payload. The proof of inclusion must prove that same state.
 */
function checkSolo(view: ChannelView, inner: Extract<UnsignedTx, { tag: 54 | 55 | 59 }>, latest: CoSignedState): CheckResult {
  if (inner.fromId !== myAccount(view)) return refuse(AbortCode.WRONG_PARTY, `solo tx from ${inner.fromId}`);
  const latestInner = unwrap(latest.tx).inner;
  if (latestInner.tag === Tag.ChannelOffChainTx) {
    if (inner.payload === null || !sameInnerTx(inner.payload.encodedTx, latestInner)) return refuse(AbortCode.WRONG_PAYLOAD, `the payload is not our last co-signed round ${latest.round}`);
  } else if (inner.payload !== null) {
    return refuse(AbortCode.WRONG_PAYLOAD, `our last state (round ${latest.round}) is on chain already; the payload must be empty`);
  }
  if (inner.tag !== Tag.ChannelSnapshotSoloTx) {
    let hash: Uint8Array;
    try {
      hash = poiHash(inner.poi);
    } catch (e) {
      return refuse(AbortCode.MALFORMED_TX, `bad proof of inclusion: ${(e as Error).message}`);
    }
    if (encode(hash, 'st') !== encode(latest.state.stateHash(), 'st')) return refuse(AbortCode.WRONG_STATE_HASH, 'the proof of inclusion is not of our last co-signed state');
  }
  return { ok: true, value: { inner } };
}

/**
 * The signer's result must be the very tx asked for, now carrying our valid signature; `request`
 * is the tx as the node sent it, with the signatures already verified in it. A `trusted` signer's
 * signature is not verified again.
 */
export function checkSignerResult(request: Verified, signed: unknown, networkId: string, me: Encoded<'ak'>, trusted = false): string | undefined {
  if (typeof signed !== 'string' || !signed.startsWith('tx_')) return 'the signer returned no tx';
  try {
    if (!sameTransaction(signed as Encoded<'tx'>, request.tx)) return 'the signer returned a different tx';
  } catch (e) {
    return `the signer returned a tx that does not decode: ${(e as Error).message}`;
  }
  if (trusted) return undefined;
  const verified = signedBy(signed as Encoded<'tx'>, networkId, [...request.signers, me], request);
  return verified ? undefined : `the signer's tx lacks a valid signature of ${me} for network ${networkId}`;
}
