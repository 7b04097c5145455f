/** The channel id a create tx founds, found through the signed and GA meta layers around it. */
import type { Encoded } from '../encoding.js';
import { CodecError, CodecErrorCode } from '../errors.js';
import { channelId, gaAuthId } from '../id.js';
import type { ChannelCreateTx, GaMetaTx, Tx } from './schema.js';
import { Tag, tagName } from './tags.js';

/**
 * `channelIdFromCreateTx(unpackTx(signedCreateTx))` → `'ch_…'`. A create tx with nonce 0 comes from
 * a generalized-account initiator; its id uses the auth id of the initiator's innermost GA meta tx,
 * so that wrapper must be part of `tx` (aesc_utils.erl:1166-1220).
 */
export function channelIdFromCreateTx(tx: Tx): Encoded<'ch'> {
  const metas: GaMetaTx[] = [];
  let layer: Tx = tx;
  let create: ChannelCreateTx | undefined;
  while (create === undefined) {
    if (layer.tag === Tag.SignedTx) layer = layer.encodedTx;
    else if (layer.tag === Tag.GaMetaTx) {
      metas.push(layer);
      layer = layer.tx;
    } else if (layer.tag === Tag.ChannelCreateTx) create = layer;
    else throw new CodecError(CodecErrorCode.BAD_FIELD, `expected a channel create tx, found ${tagName(layer.tag)}`);
  }
  const { initiatorId, responderId, nonce } = create;
  if (nonce !== 0n) return channelId(initiatorId, nonce, responderId);
  let meta: GaMetaTx | undefined;
  for (const m of metas) if (m.gaId === initiatorId) meta = m;
  if (meta === undefined) {
    throw new CodecError(CodecErrorCode.BAD_FIELD, "a create tx with nonce 0 needs the initiator's GA meta tx around it for the auth id");
  }
  return channelId(initiatorId, gaAuthId(meta.gaId, meta.authData), responderId);
}
