/**
 * What the client checks before it signs anything the node asks it to sign. Each check is pure:
 * the sign request and the client's own view of the channel in, the outcome out: what signing does
 * (the rule book's effect, @ch/codec `txEffect`, the same verdict the node's FSM applies) and the
 * next co-signed state for txs that set one, or an abort code with the reason. The state hash is
 * always recomputed from the last co-signed state, never taken from the node. What the client did
 * not ask for in full is decided by its sign policy (policy.ts).
 */
import {
  bytesEqual,
  effectMinimumFee,
  onChainFee,
  rlpEncode,
  Tag,
  txEffect,
  unpackTx,
  verifyTx,
  type ChannelContext,
  type EffectKind,
  type Encoded,
  type OffChainState,
  type OffChainUpdate as StateUpdate,
  type SignedTx,
  type TxEffect,
  type UnsignedTx,
  type Violation,
} from '@ch/codec';
import { SIGN_REQUESTS, type OffChainUpdate, type SignRequestMethod } from '@ch/rpc';
import { AbortCode } from './errors.js';
import { DEFAULT_SIGN_POLICY, delegateRefusal, feeRefusal, policyRefusal, type Refusal, type SignPolicy } from './policy.js';
import { SIGNED_TX, signedParts } from './signed-parts.js';
import type { Role } from './signer.js';
import type { FundingOptions, OnChainOptions } from './options.js';

export { closeMutualPayout as closeMutualAmounts } from '@ch/codec';

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
  /** The node reported `can_slash`: a solo close of an older round is on chain. Unset: no. */
  readonly canSlash?: boolean;
  /** The round a snapshot the node reported included put on chain. Unset: unknown. */
  readonly onChainRound?: bigint;
  /** This party's open options for the create tx: the initiator's are in it, a responder's are what it agrees to. */
  readonly opening?: OnChainOptions;
  /** Default `DEFAULT_SIGN_POLICY`. */
  readonly policy?: SignPolicy;
}

/** An on-chain operation of this client's: the tx it must be, and the options given. */
export type OnChainExpectation =
  | { readonly kind: 'deposit' | 'withdraw'; readonly amount: bigint; readonly options?: FundingOptions }
  | { readonly kind: 'create' | 'shutdown' | 'close_solo' | 'snapshot_solo' | 'slash' | 'settle'; readonly options?: OnChainOptions };

/**
 * What this client asked the node for. `none`: its own request, with nothing more to compare (a
 * contract update; the policy bounds the rest). `unrequested`: no operation of its own asked for
 * this sign request; the policy alone decides.
 */
export type Expectation =
  | { readonly kind: 'update'; readonly updates: readonly StateUpdate[] }
  | OnChainExpectation
  | { readonly kind: 'none' }
  | { readonly kind: 'unrequested' };

export interface Checked {
  readonly inner: UnsignedTx;
  /** What signing does, as the rule book computes it. */
  readonly effect: TxEffect;
  /** The co-signed state this tx becomes once both have signed, for txs that set a new round. */
  readonly next?: CoSignedState;
  /** Set by the create tx: the channel it founds. */
  readonly channelId?: Encoded<'ch'>;
}

export type CheckResult = { readonly ok: true; readonly value: Checked } | { readonly ok: false; readonly code: AbortCode; readonly reason: string };

const refuse = (code: AbortCode, reason: string): CheckResult => ({ ok: false, code, reason });

/** Whether a sign request is for the peer's proposal (an ack) rather than this client's own. */
export function isPeerProposal(method: SignRequestMethod): boolean {
  return SIGN_REQUESTS[method].fromPeer;
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

/** The rule book's violations as this client's abort codes. */
const VIOLATION_CODES: { readonly [V in Violation]: AbortCode } = {
  malformed_tx: AbortCode.MALFORMED_TX,
  unsupported_tx: AbortCode.UNVERIFIABLE_UPDATES,
  channel_not_open: AbortCode.UNEXPECTED_REQUEST,
  wrong_channel: AbortCode.WRONG_CHANNEL,
  wrong_round: AbortCode.WRONG_ROUND,
  updates_mismatch: AbortCode.WRONG_UPDATES,
  invalid_updates: AbortCode.INVALID_UPDATES,
  wrong_state_hash: AbortCode.WRONG_STATE_HASH,
  wrong_party: AbortCode.WRONG_PARTY,
  wrong_payout: AbortCode.WRONG_AMOUNT,
  wrong_payload: AbortCode.WRONG_PAYLOAD,
  wrong_poi: AbortCode.WRONG_STATE_HASH,
  wrong_terms: AbortCode.WRONG_AMOUNT,
};

/** The channel as the rule book takes it. */
export function channelContext(view: ChannelView): ChannelContext {
  const t = view.terms;
  return {
    networkId: view.networkId,
    channelId: view.channelId,
    initiatorId: t.initiatorId,
    responderId: t.responderId,
    channelReserve: t.channelReserve,
    opening: t,
    last: view.latest,
    ...(view.onChainRound !== undefined && { onChainRound: view.onChainRound }),
  };
}

/**
 * Checks a sign request: decodes it, checks its kind, has the rule book compute its effect on the
 * last co-signed state (@ch/codec `txEffect`), checks the peer's signature on its proposals, then
 * decides: the effect must be what this client asked for (`expected`, options included), or, for
 * what it did not ask for in full, `policy` must allow it.
 */
export function checkSignRequest(
  method: SignRequestMethod,
  view: ChannelView,
  tx: Encoded<'tx'>,
  updates: readonly OffChainUpdate[],
  expected: Expectation,
  policy: SignPolicy = view.policy ?? DEFAULT_SIGN_POLICY,
): CheckResult {
  const { tx: tag, fromPeer } = SIGN_REQUESTS[method];
  let inner: UnsignedTx;
  try {
    inner = unwrap(tx).inner;
  } catch (e) {
    return refuse(AbortCode.MALFORMED_TX, `the tx does not decode: ${(e as Error).message}`);
  }
  if (inner.tag !== tag) return refuse(AbortCode.WRONG_TX_KIND, `${method} must carry tx tag ${tag}, got ${inner.tag}`);
  if (inner.tag !== Tag.ChannelCreateTx && (view.channelId === undefined || view.latest === undefined)) {
    return refuse(AbortCode.UNEXPECTED_REQUEST, `${method} before the channel is open`);
  }
  const listed = toStateUpdates(updates);
  if (listed === undefined) return refuse(AbortCode.UNVERIFIABLE_UPDATES, 'contract updates need the VM to check');
  const verdict = txEffect(inner, listed, channelContext(view));
  if (!verdict.ok) return refuse(VIOLATION_CODES[verdict.violation], verdict.reason);
  const { effect } = verdict;
  // The create tx's proposer is the initiator, whatever our role.
  const proposer = inner.tag === Tag.ChannelCreateTx ? view.terms.initiatorId : fromPeer ? peerAccount(view) : myAccount(view);
  if (fromPeer && !signedBy(tx, view.networkId, [proposer])) return refuse(AbortCode.MISSING_SIGNATURE, `the proposal lacks the valid signature of ${proposer}`);
  const refusal = decide(effect, listed, proposer, ownExpectation(effect, fromPeer ? { kind: 'unrequested' } : expected, fromPeer, view), policy, view);
  if (refusal) return refuse(refusal.code, refusal.reason);
  const next = NEW_ROUND_KINDS.has(effect.kind) ? { round: effect.round!, tx, state: effect.state! } : undefined;
  return { ok: true, value: { inner, effect, ...(next && { next }), ...(effect.kind === 'create' && { channelId: effect.channelId }) } };
}

/**
 * Each party asked for the create tx when it opened: the initiator with the options it gave then,
 * the responder only if it gave some (a `fee` it names is the fee it agrees to); otherwise the
 * initiator's create tx is the peer's proposal, for the policy to judge.
 */
function ownExpectation(effect: TxEffect, expected: Expectation, fromPeer: boolean, view: ChannelView): Expectation {
  if (effect.kind !== 'create' || expected.kind !== 'unrequested') return expected;
  const options = view.opening ?? {};
  return !fromPeer || Object.keys(options).length > 0 ? { kind: 'create', options } : expected;
}

/** The txs whose co-signature makes a new co-signed state. */
const NEW_ROUND_KINDS: ReadonlySet<EffectKind> = new Set(['create', 'offchain', 'deposit', 'withdraw']);

/** What each on-chain expectation asks for. */
const EXPECTED_KINDS: { readonly [K in OnChainExpectation['kind']]: EffectKind } = {
  create: 'create',
  deposit: 'deposit',
  withdraw: 'withdraw',
  shutdown: 'close_mutual',
  close_solo: 'close_solo',
  snapshot_solo: 'snapshot_solo',
  slash: 'slash',
  settle: 'settle',
};

/**
 * The decision on a tx the rule book found sound: an on-chain tx is posted (and its fee paid) by
 * its proposer; then it is what this client asked for, or the policy allows it.
 */
function decide(effect: TxEffect, listed: readonly StateUpdate[], proposer: Encoded<'ak'>, expected: Expectation, policy: SignPolicy, view: ChannelView): Refusal | undefined {
  if (effect.from !== undefined && effect.from !== proposer) return { code: AbortCode.WRONG_PARTY, reason: `a ${effect.kind} tx from ${effect.from}, not ${proposer}` };
  switch (expected.kind) {
    case 'update':
      return sameUpdates(listed, expected.updates) ? undefined : { code: AbortCode.WRONG_UPDATES, reason: 'the updates are not the ones asked for' };
    case 'none':
      return policyRefusal(policy, effect, { unrequested: false, canSlash: view.canSlash === true });
    case 'unrequested':
      return policyRefusal(policy, effect, { unrequested: true, canSlash: view.canSlash === true });
    default: {
      if (EXPECTED_KINDS[expected.kind] !== effect.kind) return { code: AbortCode.WRONG_TX_KIND, reason: `a ${effect.kind} tx for a ${expected.kind}` };
      const foreign = delegateRefusal(policy, effect);
      if (foreign) return foreign;
      if ((effect.tx.tag === Tag.ChannelDepositTx || effect.tx.tag === Tag.ChannelWithdrawTx) && 'amount' in expected && effect.tx.amount !== expected.amount) {
        return { code: AbortCode.WRONG_AMOUNT, reason: `${expected.kind} of ${effect.tx.amount}, asked for ${expected.amount}` };
      }
      return optionsRefusal(effect, listed, expected.options ?? {}, policy);
    }
  }
}

/** The tx carries the options the caller gave; a fee the caller left to the node is bounded by the policy. */
function optionsRefusal(effect: TxEffect, listed: readonly StateUpdate[], options: FundingOptions, policy: SignPolicy): Refusal | undefined {
  if (options.nonce !== undefined && effect.nonce !== options.nonce) return { code: AbortCode.WRONG_OPTIONS, reason: `nonce ${effect.nonce}, asked for ${options.nonce}` };
  if (options.meta !== undefined) {
    const meta = listed.slice(1).map((u) => (u.op === 'OffChainMeta' ? u.data : undefined));
    if (meta.length !== options.meta.length || meta.some((m, i) => m !== options.meta![i])) return { code: AbortCode.WRONG_OPTIONS, reason: 'the meta updates are not the ones asked for' };
  }
  if (options.fee === undefined && options.gasPrice === undefined) return feeRefusal(policy, effect);
  // The node's fee rule on the caller's options; the gas price is given whenever the minimum is needed.
  const fee = onChainFee(options, (gasPrice) => effectMinimumFee(effect, gasPrice) ?? 0n);
  return effect.fee === fee ? undefined : { code: AbortCode.WRONG_OPTIONS, reason: `fee ${effect.fee}, the options ask for ${fee}` };
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
