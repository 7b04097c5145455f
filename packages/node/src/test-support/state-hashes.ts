/**
 * Recomputes, with @ch/codec, the state hash of every tx the node sent a client: the create tx
 * from the pushed initial state, each proposed round from the last agreed state plus its updates;
 * every `channels.update` must carry a state computed that way, and every proof of inclusion a
 * solo close or slash carries must be codec's proof of the last agreed state.
 */
import { applyUpdates, encode, initialState, poiFromState, unpackTx, Tag, type Encoded, type OffChainState, type OffChainUpdate, type UnsignedTx } from '@ch/codec';
import type { Json } from './client.js';

export interface Terms {
  initiator: Encoded<'ak'>;
  responder: Encoded<'ak'>;
  initiatorAmount: bigint;
  responderAmount: bigint;
  pushAmount: bigint;
  channelReserve: bigint;
}

function inner(tx: Encoded<'tx'>): UnsignedTx {
  const t = unpackTx(tx);
  return t.tag === Tag.SignedTx ? t.encodedTx : t;
}

/** Returns the number of txs checked; throws at the first state hash the node got wrong. */
export function checkStateHashes(messages: readonly Json[], terms: Terms): number {
  const known = new Map<string, OffChainState>();
  let agreed = initialState(terms);
  known.set(encode(agreed.stateHash(), 'st'), agreed);
  let checked = 0;
  for (const m of messages) {
    const method = String(m.method);
    const data = (m.params as Json | undefined)?.data as Json | undefined;
    const txString = (data?.signed_tx ?? data?.state) as Encoded<'tx'> | undefined;
    if (txString === undefined || !(method.startsWith('channels.sign.') || method === 'channels.update')) continue;
    const tx = inner(txString);
    if ('poi' in tx) {
      if (tx.poi !== poiFromState(agreed)) throw new Error(`${method}: the proof of inclusion is not codec's of the agreed state`);
      checked++;
    }
    if (!('stateHash' in tx)) continue;
    let expected: OffChainState | undefined;
    if (method === 'channels.update') expected = known.get(tx.stateHash);
    else if (tx.tag === Tag.ChannelCreateTx) expected = agreed = initialState(terms);
    else {
      const updates = (data!.updates as Json[]).map((u) => ({ ...u, amount: u.amount === undefined ? undefined : BigInt(u.amount as number) }) as unknown as OffChainUpdate);
      expected = applyUpdates(agreed, updates, terms.channelReserve);
    }
    if (expected === undefined || encode(expected.stateHash(), 'st') !== tx.stateHash) throw new Error(`${method}: state hash ${tx.stateHash} is not codec's`);
    known.set(tx.stateHash, expected);
    if (method === 'channels.update') agreed = expected;
    checked++;
  }
  return checked;
}
