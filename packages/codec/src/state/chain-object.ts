/**
 * Serialized chain objects, rlp([tag, vsn, fields…]) as `aeser_chain_objects` writes them, at the
 * RLP level: just enough for signed txs, accounts, state trees and proofs.
 */
import { CodecError, CodecErrorCode } from '../errors.js';
import { asBytes, asList, decodeInt, encodeInt, rlpDecode, rlpEncode, type RlpItem } from '../rlp.js';

/** The tag of a decoded item if it is a list starting with a canonical integer of one or two bytes. */
export function tagOf(item: RlpItem): number | undefined {
  const first = item instanceof Uint8Array ? undefined : item[0];
  if (!(first instanceof Uint8Array) || first.length === 0 || first.length > 2) return undefined;
  return first.length === 1 ? first[0] : first[0] === 0 ? undefined : first[0]! * 256 + first[1]!;
}

/** The fields of a chain object (its serialized bytes, or the decoded list) after checking its tag, version and field count. */
export function readChainObject(
  object: Uint8Array | readonly RlpItem[],
  expected: { tag: number; vsn: number; fields: number; name: string },
): readonly RlpItem[] {
  const { tag, vsn, fields, name } = expected;
  const list = asList(object instanceof Uint8Array ? rlpDecode(object) : object, name);
  if (list.length < 2 || tagOf(list) !== tag) {
    throw new CodecError(CodecErrorCode.UNKNOWN_TAG, `expected a ${name} (tag ${tag})`, { path: name });
  }
  const version = decodeInt(asBytes(list[1]!, `${name}.vsn`));
  if (version !== BigInt(vsn)) throw new CodecError(CodecErrorCode.UNKNOWN_VERSION, `${name} version ${version}, expected ${vsn}`, { path: name });
  if (list.length !== 2 + fields) {
    throw new CodecError(CodecErrorCode.FIELD_COUNT, `${name} has ${list.length - 2} fields, expected ${fields}`, { path: name });
  }
  return list.slice(2);
}

export function chainObject(tag: number, vsn: number, fields: readonly RlpItem[]): Uint8Array {
  return rlpEncode([encodeInt(BigInt(tag)), encodeInt(BigInt(vsn)), ...fields]);
}
