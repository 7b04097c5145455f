/**
 * The sign requests the node sends: each opens a signing round (signing-round.ts), is checked
 * against what this client knows and asked for, and is answered with our signature or an abort
 * code. A signature that completes a state is sent only once that state is in the store.
 */
import type { Encoded } from '@ch/codec';
import { isValidAbortCode, SIGN_REPLY_METHODS, type SignReply, type SignRequest, type SignRequestMethod } from '@ch/rpc';
import type { ChannelEvents } from './channel-events.js';
import { checkSignerResult, checkSignRequest, isPeerProposal, myAccount, peerAccount, type ChannelView, type Verified } from './checks.js';
import type { CoSignedStates } from './co-signed-states.js';
import { withTimeout } from './deadlines.js';
import type { Emitter } from './emitter.js';
import { AbortCode, ChannelError, ChannelErrorKind, RefusedError } from './errors.js';
import type { OperationQueue } from './operations.js';
import type { Timeouts } from './options.js';
import { isBuiltInSigner, type SignContext, type Signer, type SignOutcome } from './signer.js';
import type { SigningRound } from './signing-round.js';
import type { StatusMachine } from './state-machine.js';

/** Sign requests of this client's own operations that the node may also make unasked. */
const UNASKED_OWN: ReadonlySet<SignRequestMethod> = new Set(['channels.sign.slash_tx']);

export interface SigningHost {
  readonly signer: Signer;
  readonly timeouts: Timeouts;
  readonly events: Emitter<ChannelEvents>;
  readonly status: StatusMachine;
  readonly ops: OperationQueue;
  readonly states: CoSignedStates;
  view(): ChannelView;
  /** A close is under way: the status to return to is `closing`, not `open`. */
  closing(): boolean;
  /** The create tx founds the channel: its id is known from now on. */
  founded(channelId: Encoded<'ch'>): void;
  /** Sends our answer to a sign request. */
  reply(method: SignRequestMethod, reply: SignReply): void;
}

export class SigningDesk {
  readonly #host: SigningHost;
  #round: SigningRound | undefined;

  constructor(host: SigningHost) {
    this.#host = host;
  }

  /** The round the node has open, if any. */
  get round(): SigningRound | undefined {
    return this.#round;
  }

  /** Checks, signs (or refuses) and answers a sign request. */
  async answer(method: SignRequestMethod, data: SignRequest, seq: number): Promise<void> {
    const host = this.#host;
    const round = this.#open(method, seq);
    const { peer, op } = round;
    if (peer) host.events.emit('proposal', { method, tx: data.signed_tx, updates: data.updates });

    if (!this.#expects(round)) return this.refuse(round, AbortCode.UNEXPECTED_REQUEST, `${method} for nothing this client asked for`);
    const view = host.view();
    const check = checkSignRequest(method, view, data.signed_tx, data.updates, op?.expectation ?? { kind: 'none' });
    if (!check.ok) return this.refuse(round, check.code, check.reason);
    const { inner, next, channelId } = check.value;

    const context: SignContext = { method, role: view.role, networkId: view.networkId, channelId: channelId ?? view.channelId, tx: inner, updates: data.updates, own: !peer };
    const outcome = await this.#callSigner(data.signed_tx, context);
    if (typeof outcome !== 'string') {
      if ('reason' in outcome) return this.refuse(round, outcome.abort, outcome.reason);
      if (isValidAbortCode(outcome.abort)) return this.refuse(round, outcome.abort);
      return this.refuse(round, AbortCode.SIGNER_FAILED, `the signer's abort code ${String(outcome.abort)} is not in 1..65535`);
    }
    // The check verified the peer's signature on its proposals; only ours is left to verify.
    const request: Verified = { tx: data.signed_tx, signers: peer ? [peerAccount(view)] : [] };
    const problem = checkSignerResult(request, outcome, view.networkId, myAccount(view), isBuiltInSigner(host.signer));
    if (problem) return this.refuse(round, AbortCode.SIGNER_FAILED, problem);
    round.verified = { tx: outcome, signers: [...request.signers, myAccount(view)] };

    if (channelId) host.founded(channelId);
    if (next) {
      round.next = { ...next, tx: outcome };
      // The record comes first: a signature that completes a state is never sent unrecorded.
      try {
        await host.states.save(round.next);
      } catch (e) {
        host.events.emit('error', e as ChannelError);
        return this.refuse(round, AbortCode.STORE_FAILED, 'the store could not record the state this signature completes');
      }
    }
    if (op) op.phase = 'signed';
    host.reply(method, { signed_tx: outcome });
    host.status.move(channelId ? 'awaiting_locked' : 'awaiting_ack');
    // The node is open again once the tx is signed: the round ends with our signature, and the
    // operation waits for the tx on chain without holding up the next ones.
    if (op?.completion.kind === 'on_chain' && op.completion.released) {
      this.end(round);
      host.ops.release(op, outcome);
    }
  }

  /** A sign request we cannot even read is still a sign request: it gets its refusal, not silence. */
  refuseUnreadable(method: SignRequestMethod, seq: number, error: ChannelError): void {
    const round = this.#open(method, seq);
    this.#host.events.emit('error', error);
    this.refuse(round, AbortCode.MALFORMED_TX, error.message);
  }

  /** Answers the sign request with an abort code; the node ends the round (conflict or `aborted_update`). */
  refuse(round: SigningRound, code: number, reason?: string): void {
    const error = reason === undefined ? undefined : new RefusedError(round.method, code, reason);
    round.refusal = { code, ...(error && { error }) };
    if (error) this.#host.events.emit('refused', error);
    this.#host.reply(round.method, { error: code });
  }

  /** Ends the open signing round; the channel is back at its last co-signed state. */
  end(round: SigningRound): void {
    if (this.#round !== round) return;
    this.#round = undefined;
    this.#host.status.move(this.#host.closing() ? 'closing' : 'open');
  }

  /** The node moved on without ending the round: whatever it was for has failed. */
  abandon(round: SigningRound, why: string): void {
    this.end(round);
    const error = new ChannelError(ChannelErrorKind.PROTOCOL, why);
    if (round.op) this.#host.ops.settle(round.op, { error });
    this.#host.events.emit('error', error);
  }

  /** A sign request opens the node's next signing round; one still open has ended unannounced. */
  #open(method: SignRequestMethod, seq: number): SigningRound {
    if (this.#round) this.abandon(this.#round, `the node sent ${method} before ending the previous signing round`);
    const peer = isPeerProposal(method);
    const current = this.#host.ops.current;
    const op = !peer && current?.phase === 'requested' && current.signMethod === method ? current : undefined;
    const round: SigningRound = { seq, method, peer, op };
    this.#round = round;
    this.#host.status.move('signing');
    return round;
  }

  /** Whether this client can accept the round's sign request at all. */
  #expects(round: SigningRound): boolean {
    if (round.peer || round.op) return true;
    const { role } = this.#host.view();
    // The create tx, once: the initiator signs first, the responder co-signs.
    const unopened = this.#host.states.latest === undefined;
    if (round.method === 'channels.sign.initiator_sign') return role === 'initiator' && unopened;
    if (round.method === 'channels.sign.responder_sign') return role === 'responder' && unopened;
    return UNASKED_OWN.has(round.method);
  }

  async #callSigner(tx: Encoded<'tx'>, context: SignContext): Promise<SignOutcome | { abort: AbortCode; reason: string }> {
    try {
      return await withTimeout(Promise.resolve(this.#host.signer.sign(tx, context)), this.#host.timeouts.sign, 'the signer');
    } catch (e) {
      return { abort: AbortCode.SIGNER_FAILED, reason: `the signer failed: ${(e as Error).message}` };
    }
  }
}

export function isSignRequest(method: string): method is SignRequestMethod {
  return method in SIGN_REPLY_METHODS;
}
