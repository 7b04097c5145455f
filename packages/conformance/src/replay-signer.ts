/**
 * A signer that answers as the recorded client did: for each sign request the scripted node
 * delivers, the transcript's reply (the signed tx, or the abort code) is registered under the
 * transaction asked for, and `sign` hands it back. The client calls it only after its own checks
 * pass, and checks what it returns (the same tx, with a valid signature of ours), so a recorded
 * signature that did not verify, or a request the client refuses, shows up as a mismatch.
 */
import type { Encoded } from '@ch/codec';
import type { Signer, SignOutcome } from '@ch/client';
import { innerKey } from './signed-tx.js';

export class ReplaySigner implements Signer {
  readonly #answers = new Map<string, SignOutcome>();

  /** The recorded answer to a request for `requestTx`. */
  expect(requestTx: string, answer: { signed_tx?: unknown; error?: unknown }): void {
    const outcome: SignOutcome =
      typeof answer.signed_tx === 'string' ? (answer.signed_tx as Encoded<'tx'>) : { abort: Number(answer.error) };
    this.#answers.set(innerKey(requestTx), outcome);
  }

  sign(tx: Encoded<'tx'>): SignOutcome {
    const outcome = this.#answers.get(innerKey(tx));
    if (outcome === undefined) throw new Error('the transcript has no signature for this tx');
    return outcome;
  }
}
