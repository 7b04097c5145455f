// Type-checked by the packaging test under node16 as ESM, node16 as CommonJS and bundler
// resolution, against the installed tarballs' declarations (skipLibCheck off). The expected
// errors at the end fail the check if the declarations resolve to `any`.
import { Channel, ConflictError, MemoryStore, secretKeySigner, type ChannelStore, type OpenOptions } from '@ch/client';
import { decode, encode, generateKeyPair, type Encoded } from '@ch/codec';
import { PROFILES, type RunningNode } from '@ch/node';
import { parseJson, stringifyJson } from '@ch/rpc';

const key = generateKeyPair();
const id: Encoded<'ak'> = key.publicKey;
const bytes: Uint8Array = decode(id, 'ak');
const again: string = encode(bytes, 'ak');
const store: ChannelStore = new MemoryStore();
const options: Omit<OpenOptions, 'role'> = {
  url: 'ws://127.0.0.1:3014/channel',
  networkId: 'ae_devnet',
  initiatorId: id,
  responderId: id,
  initiatorAmount: 1n,
  responderAmount: 1n,
  channelReserve: 1n,
  lockPeriod: 1n,
  signer: secretKeySigner(key.secretKey),
  store,
};
export async function transferOnce(channel: Channel): Promise<bigint> {
  try {
    return await channel.transfer(id, id, 1n);
  } catch (e) {
    if (e instanceof ConflictError) return e.round;
    throw e;
  }
}
export const connect: (options: OpenOptions) => Channel = Channel.connect;
export function url(node: RunningNode): string {
  return node.url;
}
export const used = [again, options, stringifyJson(parseJson('1')), PROFILES.current.name];

// @ts-expect-error an amount is a bigint, not a number
export const wrongAmount: OpenOptions['initiatorAmount'] = 1;
// @ts-expect-error decode knows its prefixes
decode(id, 'not_a_prefix');
