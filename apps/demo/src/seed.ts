/**
 * The seed transcript's story told from its transactions: every `tx_` the two clients and the
 * node exchanged, decoded, its signers checked and its state hash re-derived from balances.
 */
import {
  Tag,
  applyUpdates,
  encode,
  initialState,
  unpackTx,
  verifyTx,
  type Encoded,
  type OffChainUpdate,
} from '@ch/codec';

export interface SeedStep {
  actor: string;
  method: string;
  round: bigint;
  stateHash: Encoded<'st'>;
  /** The hash we derive by applying the request's updates to the round-5 balances. */
  derivedStateHash: Encoded<'st'> | undefined;
  signers: Encoded<'ak'>[];
}

interface TranscriptStep {
  actor: string;
  dir: string;
  message?: { method?: string; params?: { signed_tx?: string; data?: { signed_tx?: string; updates?: WireUpdate[] } } };
}
interface WireUpdate {
  op: string;
  from: Encoded<'ak'>;
  to: Encoded<'ak'>;
  amount: number | bigint;
}

const NETWORK_ID = 'local_lima_testnet';
const INITIATOR = 'ak_p5mwxAHVY4fqWNqYDvGLfTAWGGra3B4zuNQayyHZZwS9bKrRx';
const RESPONDER = 'ak_2J29WNS9gzYvK6VWkQQqmAyUu8DH7zHQ1CaN2hZr8B7cxGKNZn';
// Round 5 of the seed holds the balances a channel opened with 70000000000000 / 40000000000000
// and push 1 starts from (its get.balances shows them), so the opening state stands in for it.
const ROUND_5 = initialState({ initiator: INITIATOR, responder: RESPONDER, initiatorAmount: 70000000000000n, responderAmount: 40000000000000n, pushAmount: 1n });

export function seedSteps(steps: readonly TranscriptStep[]): SeedStep[] {
  const out: SeedStep[] = [];
  for (const step of steps) {
    const params = step.message?.params;
    const tx = (params?.signed_tx ?? params?.data?.signed_tx) as Encoded<'tx'> | undefined;
    if (!tx) continue;
    const signed = unpackTx(tx, Tag.SignedTx);
    const inner = signed.encodedTx;
    if (inner.tag !== Tag.ChannelOffChainTx) continue;
    const updates = params?.data?.updates?.map(
      (u): OffChainUpdate => ({ op: 'OffChainTransfer', from: u.from, to: u.to, amount: BigInt(u.amount) }),
    );
    out.push({
      actor: step.actor,
      method: step.message?.method ?? '',
      round: inner.round,
      stateHash: inner.stateHash,
      derivedStateHash: updates ? encode(applyUpdates(ROUND_5, updates, 2n).stateHash(), 'st') : undefined,
      signers: verifyTx(tx, NETWORK_ID, [INITIATOR, RESPONDER]).signers,
    });
  }
  return out;
}
