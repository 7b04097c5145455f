/**
 * The sign requests the node sends, on the shell's side of the core (core/step.ts): what the
 * checks make of one, and the signer's call, which runs beside the node's messages rather than in
 * front of them. Each call gets an `AbortSignal` that fires when the round ends before the signer
 * answered; what it answers then goes nowhere.
 */
import type { Encoded } from '@ch/codec';
import { isValidAbortCode, OPERATIONS, type SignRequest, type SignRequestMethod } from '@ch/rpc';
import { checkSignerResult, checkSignRequest, isPeerProposal, myAccount, peerAccount, type ChannelView, type Verified } from './checks.js';
import type { SignerAnswer, Verdict } from './core/step.js';
import { withTimeout } from './deadlines.js';
import { AbortCode, ChannelError, ChannelErrorKind, TimeoutError } from './errors.js';
import type { Operation } from './operations.js';
import { isBuiltInSigner, type SignContext, type Signer, type SignOutcome } from './signer.js';

/** Sign requests of this client's own operations that the node may also make unasked. */
const UNASKED_OWN: ReadonlySet<SignRequestMethod> = new Set([OPERATIONS.slash.sign]);

/** The operation of ours a sign request serves: the one started, if it asks for this. */
export function servedOperation(method: SignRequestMethod, current: Operation | undefined): Operation | undefined {
  return !isPeerProposal(method) && current?.phase === 'requested' && current.signMethod === method ? current : undefined;
}

/** What the signer is asked: the request's tx and what it does. */
export interface SignerQuestion {
  readonly tx: Encoded<'tx'>;
  readonly context: Omit<SignContext, 'signal'>;
}

/** Checks a sign request; an accepted one comes with the question for the signer. */
export function judgeRequest(method: SignRequestMethod, data: SignRequest, op: Operation | undefined, view: ChannelView): { verdict: Verdict; question?: SignerQuestion } {
  const peer = isPeerProposal(method);
  if (!expected(method, peer, op, view)) return { verdict: { ok: false, code: AbortCode.UNEXPECTED_REQUEST, reason: `${method} for nothing this client asked for` } };
  const check = checkSignRequest(method, view, data.signed_tx, data.updates, op?.expectation ?? { kind: 'unrequested' });
  if (!check.ok) return { verdict: { ok: false, code: check.code, reason: check.reason } };
  const { inner, next, channelId, effect } = check.value;
  const context = { method, role: view.role, networkId: view.networkId, channelId: channelId ?? view.channelId, tx: inner, updates: data.updates, own: !peer, effect };
  return { verdict: { ok: true, ...(channelId && { founds: channelId }), ...(next && { next }) }, question: { tx: data.signed_tx, context } };
}

/** Whether this client can accept the request at all. */
function expected(method: SignRequestMethod, peer: boolean, op: Operation | undefined, view: ChannelView): boolean {
  if (peer || op) return true;
  // The create tx, once: the initiator signs first, the responder co-signs.
  const unopened = view.latest === undefined;
  if (method === 'channels.sign.initiator_sign') return view.role === 'initiator' && unopened;
  if (method === 'channels.sign.responder_sign') return view.role === 'responder' && unopened;
  return UNASKED_OWN.has(method);
}

/**
 * The signer's calls in progress, one per round. `ask` returns at once; the verified answer comes
 * to `onAnswer` later, unless `end` was called first.
 */
export class SignerCalls {
  readonly #signer: Signer;
  readonly #timeoutMs: number;
  readonly #calls = new Map<number, AbortController>();

  constructor(signer: Signer, timeoutMs: number) {
    this.#signer = signer;
    this.#timeoutMs = timeoutMs;
  }

  ask(seq: number, question: SignerQuestion, view: ChannelView, onAnswer: (answer: SignerAnswer) => void): void {
    const controller = new AbortController();
    this.#calls.set(seq, controller);
    const { tx, context } = question;
    // The check verified the peer's signature on its proposals; only ours is left to verify.
    const request: Verified = { tx, signers: context.own ? [] : [peerAccount(view)] };
    void this.#call(tx, { ...context, signal: controller.signal }, controller).then((outcome) => {
      if (this.#calls.get(seq) !== controller) return;
      this.#calls.delete(seq);
      onAnswer(this.#verify(request, outcome, view));
    });
  }

  /** The round ended: the signer's signal fires, and its answer will be dropped. */
  end(seq: number, why = 'the node ended the signing round'): void {
    const controller = this.#calls.get(seq);
    if (!controller) return;
    this.#calls.delete(seq);
    controller.abort(new ChannelError(ChannelErrorKind.NOT_ALLOWED, why));
  }

  async #call(tx: Encoded<'tx'>, context: SignContext, controller: AbortController): Promise<SignOutcome | { abort: AbortCode; reason: string }> {
    try {
      return await withTimeout(Promise.resolve(this.#signer.sign(tx, context)), this.#timeoutMs, 'the signer');
    } catch (e) {
      // Out of time (`timeouts.sign`): the round is refused, the signer is told to stop.
      if (e instanceof TimeoutError) controller.abort(e);
      return { abort: AbortCode.SIGNER_FAILED, reason: `the signer failed: ${(e as Error).message}` };
    }
  }

  #verify(request: Verified, outcome: SignOutcome | { abort: AbortCode; reason: string }, view: ChannelView): SignerAnswer {
    if (typeof outcome !== 'string') {
      if ('decline' in outcome && outcome.decline === true) return { decline: true };
      if ('reason' in outcome) return outcome;
      if ('abort' in outcome && isValidAbortCode(outcome.abort)) return { abort: outcome.abort };
      const abort = 'abort' in outcome ? String(outcome.abort) : JSON.stringify(outcome);
      return { abort: AbortCode.SIGNER_FAILED, reason: `the signer's abort code ${abort} is not in 1..65535` };
    }
    const me = myAccount(view);
    const problem = checkSignerResult(request, outcome, view.networkId, me, isBuiltInSigner(this.#signer));
    if (problem) return { abort: AbortCode.SIGNER_FAILED, reason: problem };
    return { signed: outcome, verified: { tx: outcome, signers: [...request.signers, me] } };
  }
}
