/**
 * A signer that answers as the recorded client did: for each sign request the scripted node
 * delivers, the transcript's reply (the signed tx, the abort code, or none at all) is queued under
 * the transaction asked for, and `sign` hands out the oldest. The client calls it only after its
 * own checks pass, and checks what it returns (the same tx, with a valid signature of ours), so a
 * recorded signature that did not verify, or a request the client refuses, shows up as a mismatch.
 *
 * Queued, not replaced: after a conflict the node asks for the very same tx again, and the
 * recorded client may answer it otherwise the second time (sign, then abort). A request the
 * recorded client left unanswered (the node ended the round by a conflict or its timeout) is
 * declined: the client sends nothing for it either.
 */
import type { Encoded } from '@ch/codec';
import type { Signer, SignOutcome } from '@ch/client';
import { innerKey } from './signed-tx.js';

const UNANSWERED: SignOutcome = { decline: true };

export class ReplaySigner implements Signer {
  readonly #answers = new Map<string, SignOutcome[]>();

  /** The recorded answer to a request for `requestTx`; none if the transcript has none. */
  expect(requestTx: string, answer: { signed_tx?: unknown; error?: unknown } | undefined): void {
    const outcome: SignOutcome =
      answer === undefined ? UNANSWERED : typeof answer.signed_tx === 'string' ? (answer.signed_tx as Encoded<'tx'>) : { abort: Number(answer.error) };
    const key = innerKey(requestTx);
    const queue = this.#answers.get(key);
    if (queue) queue.push(outcome);
    else this.#answers.set(key, [outcome]);
  }

  sign(tx: Encoded<'tx'>): SignOutcome {
    const key = innerKey(tx);
    const queue = this.#answers.get(key);
    const outcome = queue?.shift();
    if (queue?.length === 0) this.#answers.delete(key);
    if (outcome === undefined) throw new Error('the transcript has no signature for this tx');
    return outcome;
  }
}
