/** Which transcripts the client cannot take part in, and why. */
import { asBytes, decodeInt, rlpDecode, Tag } from '@ch/codec';
import { CONTRACT_METHODS } from '@ch/rpc';
import { signedParts } from './signed-tx.js';
import { isMessage, methodOf, prefixed, type Transcript } from './transcript.js';

function innerTag(tx: string): number | undefined {
  try {
    const item = rlpDecode(signedParts(tx).inner);
    return Array.isArray(item) ? Number(decodeInt(asBytes(item[0]!))) : undefined;
  } catch {
    return undefined;
  }
}

/** Undefined if the transcript is to be replayed, else the reason to skip it. */
export function classify(transcript: Transcript): string | undefined {
  const messages = transcript.steps.filter(isMessage);
  // Contract calls: the state they lead to needs the node's VM, and the client refuses to sign them (abort code 135).
  const contract = messages.find((s) => CONTRACT_METHODS.has(methodOf(s) ?? ''));
  if (contract) {
    return `contract updates (${methodOf(contract)} at step ${contract.index}): their state needs the node's VM, which the client does not run, so it refuses to sign them`;
  }
  const ga = messages.find((s) => s.dir === 'send' && prefixed(s.message, 'tx_').some((tx) => innerTag(tx) === Tag.GaMetaTx));
  if (ga) {
    return `a generalized account (contract-authorized) participant: its client answers with ga_meta_tx (tag 81) authorized by the account's contract (step ${ga.index}); the client signs with a key only`;
  }
  return undefined;
}
