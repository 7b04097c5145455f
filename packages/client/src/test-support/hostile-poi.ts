/**
 * Proofs of inclusion a hostile node may put in a solo tx: they hash like the honest one (the
 * hash is of the roots alone) but prove nothing, or carry nodes that only make the tx dearer.
 */
import { blake2b256, decode, encode, poiFromState, rlpDecode, rlpEncode, type Encoded, type OffChainState, type RlpItem } from '@ch/codec';

function withAccountNodes(state: OffChainState, edit: (nodes: RlpItem[]) => RlpItem[]): Encoded<'pi'> {
  const [tag, vsn, accounts, ...rest] = rlpDecode(decode(poiFromState(state), 'pi')) as RlpItem[];
  const [[root, nodes]] = accounts as [[RlpItem, RlpItem[]]];
  return encode(rlpEncode([tag!, vsn!, [[root, edit(nodes)]], ...rest]), 'pi');
}

/** The honest PoI of `state` with `count` kilobyte nodes no path reaches. */
export function paddedPoi(state: OffChainState, count: number): Encoded<'pi'> {
  const junk = Array.from({ length: count }, (_, j): RlpItem => {
    const node = [new Uint8Array(1000).fill(j % 256), Uint8Array.of(j >> 8)];
    return [blake2b256(rlpEncode(node)), node];
  });
  return withAccountNodes(state, (nodes) => [...nodes, ...junk]);
}

/** The roots of `state`'s PoI without a node: it hashes to the state hash and proves no balance. */
export function rootsOnlyPoi(state: OffChainState): Encoded<'pi'> {
  return withAccountNodes(state, () => []);
}
