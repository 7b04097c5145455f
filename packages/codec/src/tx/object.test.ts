import fc from 'fast-check';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { fromHex, toHex } from '../bytes.js';
import { decode, encode, type Encoded } from '../encoding.js';
import { CodecError, CodecErrorCode } from '../errors.js';
import { rlpDecode, rlpEncode, type RlpItem } from '../rlp.js';
import { deserializeObject, serializeObject } from './object.js';
import type { ChainObject, ChannelOffChainUpdate, SignedTx } from './schema.js';
import { Tag } from './tags.js';
import { buildTx, unpackTx } from './tx.js';

// Real txs from fixtures/vectors/tx_vectors.json: a co-signed off-chain state, a create, a snapshot
// (payload = a co-signed state) and a solo close (empty payload, a PoI).
const COSIGNED: Encoded<'tx'> =
  'tx_+NILAfiEuECnNHLJS5b+6fh/nKJBcI5Lrug8tJ8j5LO8E+OZtWAztR8YZcZdvqQmR0CVRml1joYtHFWQP8rXi0kTkdXHOcsJuEDXNSikeKxagbAbG542RBdPpeebyi3CIXTmivGGRnTOyopmon01fVLgRGYX4YXbG22MkfnGEugNL8kblHbIdMsOuEj4RjkCoQbzV0s4Nlxa9SuhFdtoJ1827mTLMXArQJgc5K1hWrj/mwKgpmJq1CPFri4Tx6sjPeMkKVJP5uTXrnGSB3mrLt0HQsqh/dE7';
const CREATE: Encoded<'tx'> =
  'tx_+IkLAcC4hPiCMgGhAWSuDghi3tNLOnvuIVm5FIbC9Ikodk2/E4CKiamLla+Bhj+qJSJgAKEBkLMuMMqdp4Acg/adLsNQ2VimQAyKhQvdpRTurgwqcKGGJGE5yoAAAgoAhhALIe8QAMCgZP8IHNNsTxaYp/GakGy6MTXm8MnOngPkebqMLgn1uEaBuCCkgAs=';
const SNAPSHOT: Encoded<'tx'> =
  'tx_+QEuCwHAuQEo+QElOwGhBgJzaPWCftHSyt3stV5oHLSta8wa8JjTIlJzHyz8MF+toQGQsy4wyp2ngByD9p0uw1DZWKZADIqFC92lFO6uDCpwobjU+NILAfiEuEAs6rqMvkx4UZkUxVMpUkIopRV8KY57wWFERJcuN02HqoBSiJ/BAJSob6H9jBlxB61J7LF4r0VnxI0cE0/QR6YJuEDYpYnwgFekW9kBa4UrAzBxVbeDH0Cx0TdegkwQQwa00x4CsR8J4M5pUVKf3Dd6ujAGoC4xa/gsqT70TD0unHcJuEj4RjkCoQYCc2j1gn7R0srd7LVeaBy0rWvMGvCY0yJScx8s/DBfrQOgZP8IHNNsTxaYp/GakGy6MTXm8MnOngPkebqMLgn1uEYAhhMG0SswAEEe205o';
const CLOSE_SOLO: Encoded<'tx'> =
  'tx_+QGpCwHAuQGj+QGgNgGhBjyjSFDuhC16WH8WVWAVToYo97hJYNpm72Si6PHcDj2GoQFkrg4IYt7TSzp77iFZuRSGwvSJKHZNvxOAiompi5WvgYC5AUz5AUk8AfkBP/kBPKAjVM5rBcDvCVtiilLnTxsk13c5kC8nsLi1bg41mFUab/kBGPh0oCNUzmsFwO8JW2KKUudPGyTXdzmQLyewuLVuDjWYVRpv+FGAgICAgICgmd+h0sNlLc8Ax37YOKt/5jQOsWOduZ1UAF/tElCIUUaAgKDJDIPhwDis2TZUmAJD2Gt0XhOJhKVd5T3NbMzrvKg1c4CAgICAgID4T6CZ36HSw2UtzwDHftg4q3/mNA6xY525nVQAX+0SUIhRRu2gNK4OCGLe00s6e+4hWbkUhsL0iSh2Tb8TgIqJqYuVr4GLygoBAIY/qiUiX//4T6DJDIPhwDis2TZUmAJD2Gt0XhOJhKVd5T3NbMzrvKg1c+2gMLMuMMqdp4Acg/adLsNQ2VimQAyKhQvdpRTurgwqcKGLygoBAIYkYTnKgAHAwMDAwACGFUOUmEgAgcPfrMPP';

const STATE_HASH = stateHashOf(CREATE);
const CHANNEL = channelOf(COSIGNED);
const AK = 'ak_mLjWgLbapr5CiVD2Q248aS2TQj9itXnoPv5tteXvZaJ8tdD2C';
const AK2 = 'ak_26jAbCjYM16ppbhFG6PCQhv6HkwRAri7QNJfoEtb1R8amLscpt';
const CT = 'ct_2Gtzj89e5eGzi1fMxRpRYSRA5zRuz844ZuYECfVYTqguQeTpze';

function fail(run: () => unknown): CodecError {
  try {
    run();
  } catch (e) {
    if (e instanceof CodecError) return e;
    throw e;
  }
  throw new Error('expected a CodecError, but it returned');
}

function expectFault(run: () => unknown, code: CodecErrorCode, path?: string): void {
  const e = fail(run);
  expect({ code: e.code, path: e.path }, e.message).toEqual({ code, path });
}

/** The co-signed state as RLP lists: [11, 1, sigs, inner] with inner = [57, 2, channel, round, hash]. */
const signedItems = rlpDecode(decode(COSIGNED, 'tx')) as RlpItem[];
const innerItems = rlpDecode(signedItems[3] as Uint8Array) as RlpItem[];

/** A tx_ string of the co-signed state with the inner tx's items or the outer ones replaced. */
function withInner(inner: RlpItem[]): Encoded<'tx'> {
  return encode(rlpEncode([...signedItems.slice(0, 3), rlpEncode(inner)]), 'tx');
}
function withOuter(outer: RlpItem[]): Encoded<'tx'> {
  return encode(rlpEncode(outer), 'tx');
}
const replaceAt = <T>(items: readonly T[], i: number, value: T): T[] => items.map((v, j) => (j === i ? value : v));
const bytes = (...b: number[]) => Uint8Array.from(b);

describe('unpackTx rejects malformed objects with a coded error naming the field', () => {
  const account = fromHex('01' + toHex((innerItems[2] as Uint8Array).subarray(1)));
  const cases: [string, Encoded<'tx'>, CodecErrorCode, string | undefined][] = [
    ['unknown outer tag', withOuter(replaceAt(signedItems, 0, bytes(99))), CodecErrorCode.UNKNOWN_TAG, 'tag'],
    ['unknown inner tag', withInner(replaceAt(innerItems, 0, bytes(3, 231))), CodecErrorCode.UNKNOWN_TAG, 'encodedTx.tag'],
    ['unknown version', withInner(replaceAt(innerItems, 1, bytes(3))), CodecErrorCode.UNKNOWN_VERSION, 'encodedTx.version'],
    ['extra field', withInner([...innerItems, bytes(0)]), CodecErrorCode.FIELD_COUNT, 'encodedTx'],
    ['missing field', withInner(innerItems.slice(0, 4)), CodecErrorCode.FIELD_COUNT, 'encodedTx'],
    ['no version', withOuter(signedItems.slice(0, 1)), CodecErrorCode.FIELD_COUNT, undefined],
    ['list for an int', withInner(replaceAt(innerItems, 3, [bytes(5)])), CodecErrorCode.RLP_UNEXPECTED_KIND, 'encodedTx.round'],
    ['bytes for the signature list', withOuter(replaceAt(signedItems, 2, bytes(1))), CodecErrorCode.RLP_UNEXPECTED_KIND, 'signatures'],
    ['list for a signature', withOuter(replaceAt(signedItems, 2, [(signedItems[2] as RlpItem[])[0]!, []])), CodecErrorCode.RLP_UNEXPECTED_KIND, 'signatures.1'],
    ['list for the inner tx', withOuter(replaceAt(signedItems, 3, [])), CodecErrorCode.RLP_UNEXPECTED_KIND, 'encodedTx'],
    ['an object that is not a list', withOuter(replaceAt(signedItems, 3, bytes(1))), CodecErrorCode.RLP_UNEXPECTED_KIND, 'encodedTx'],
    ['int with a leading zero', withInner(replaceAt(innerItems, 3, bytes(0, 5))), CodecErrorCode.BAD_INTEGER, 'encodedTx.round'],
    ['empty int', withInner(replaceAt(innerItems, 3, bytes())), CodecErrorCode.BAD_INTEGER, 'encodedTx.round'],
    ['tag with a leading zero', withOuter(replaceAt(signedItems, 0, bytes(0, 11))), CodecErrorCode.BAD_INTEGER, 'tag'],
    ['list for the tag', withOuter(replaceAt(signedItems, 0, [bytes(11)])), CodecErrorCode.RLP_UNEXPECTED_KIND, 'tag'],
    ['account id as channel id', withInner(replaceAt(innerItems, 2, account)), CodecErrorCode.BAD_ID, 'encodedTx.channelId'],
    ['unknown id tag', withInner(replaceAt(innerItems, 2, fromHex('09' + toHex(account.subarray(1))))), CodecErrorCode.BAD_ID, 'encodedTx.channelId'],
    ['short id', withInner(replaceAt(innerItems, 2, account.subarray(0, 32))), CodecErrorCode.BAD_ID, 'encodedTx.channelId'],
    ['31-byte state hash', withInner(replaceAt(innerItems, 4, new Uint8Array(31))), CodecErrorCode.BAD_LENGTH, 'encodedTx.stateHash'],
    ['63-byte signature', withOuter(replaceAt(signedItems, 2, [new Uint8Array(63)])), CodecErrorCode.BAD_LENGTH, 'signatures.0'],
    ['signed tx inside a signed tx', withOuter(replaceAt(signedItems, 3, decode(COSIGNED, 'tx'))), CodecErrorCode.BAD_FIELD, 'encodedTx.tag'],
    ['an account in a tx_ string', encode(rlpEncode([bytes(10), bytes(1), bytes(0), bytes(5)]), 'tx'), CodecErrorCode.BAD_FIELD, 'tag'],
    ['trailing bytes after the tx', encode(Uint8Array.from([...decode(COSIGNED, 'tx'), 0]), 'tx'), CodecErrorCode.RLP_TRAILING_BYTES, 'byte 212'],
    ['trailing bytes after the inner tx', withOuter(replaceAt(signedItems, 3, Uint8Array.from([...(signedItems[3] as Uint8Array), 0]))), CodecErrorCode.RLP_TRAILING_BYTES, 'encodedTx.byte 72'],
  ];
  it.each(cases)('%s', (_name, tx, code, path) => expectFault(() => unpackTx(tx), code, path));

  it('rejects a payload that is not a signed tx, naming the nested field', () => {
    const outer = rlpDecode(decode(SNAPSHOT, 'tx')) as RlpItem[];
    const snapshot = rlpDecode(outer[3] as Uint8Array) as RlpItem[];
    const tx = withOuter(replaceAt(outer, 3, rlpEncode(replaceAt(snapshot, 4, signedItems[3]!))));
    expectFault(() => unpackTx(tx), CodecErrorCode.BAD_FIELD, 'encodedTx.payload.tag');
  });

  it('checks the expected tag when one is given, and narrows the type', () => {
    expectFault(() => unpackTx(COSIGNED, Tag.ChannelCreateTx), CodecErrorCode.BAD_FIELD, 'tag');
    const signed = unpackTx(COSIGNED, Tag.SignedTx);
    expectTypeOf(signed.signatures).toEqualTypeOf<Uint8Array[]>();
    const inner = signed.encodedTx;
    expect(inner.tag).toBe(Tag.ChannelOffChainTx);
    if (inner.tag !== Tag.ChannelOffChainTx) return;
    // The version discriminates too: only v1 carries its updates.
    expectTypeOf(inner.round).toEqualTypeOf<bigint>();
    expectTypeOf(inner.stateHash).toEqualTypeOf<Encoded<'st'>>();
    if (inner.version === 1) expectTypeOf(inner.updates).toEqualTypeOf<ChannelOffChainUpdate[]>();
    expect('updates' in inner).toBe(false);
  });

  it('passes encoding faults of the tx_ string through', () => {
    expectFault(() => unpackTx('tx_abc' as Encoded<'tx'>), CodecErrorCode.MALFORMED_ENCODING);
    expectFault(() => unpackTx(COSIGNED.replace('tx_', 'ak_') as Encoded<'tx'>), CodecErrorCode.PREFIX_MISMATCH);
  });
});

describe('buildTx checks its input', () => {
  const signed = unpackTx(COSIGNED, Tag.SignedTx);
  const withInnerField = (name: string, value: unknown) => ({ ...signed, encodedTx: { ...signed.encodedTx, [name]: value } }) as SignedTx;
  const cases: [string, () => unknown, CodecErrorCode, string][] = [
    ['negative int', () => withInnerField('round', -1n), CodecErrorCode.BAD_FIELD, 'encodedTx.round'],
    ['number for a bigint', () => withInnerField('round', 5), CodecErrorCode.BAD_FIELD, 'encodedTx.round'],
    ['missing field', () => withInnerField('stateHash', undefined), CodecErrorCode.BAD_FIELD, 'encodedTx.stateHash'],
    ['account where a channel id goes', () => withInnerField('channelId', AK), CodecErrorCode.BAD_ID, 'encodedTx.channelId'],
    ['non-id prefix for an id', () => withInnerField('channelId', 'st_x'), CodecErrorCode.BAD_ID, 'encodedTx.channelId'],
    ['wrong prefix for a state hash', () => withInnerField('stateHash', AK), CodecErrorCode.PREFIX_MISMATCH, 'encodedTx.stateHash'],
    ['unknown version', () => ({ ...signed, encodedTx: { ...signed.encodedTx, version: 7 } }), CodecErrorCode.UNKNOWN_VERSION, 'encodedTx.version'],
    ['unknown tag', () => ({ ...signed, encodedTx: { ...signed.encodedTx, tag: 7 } }), CodecErrorCode.UNKNOWN_TAG, 'encodedTx.tag'],
    ['signed tx in a signed tx', () => ({ ...signed, encodedTx: signed }), CodecErrorCode.BAD_FIELD, 'encodedTx.tag'],
    ['a string for the inner tx', () => ({ ...signed, encodedTx: COSIGNED }), CodecErrorCode.BAD_FIELD, 'encodedTx'],
    ['63-byte signature', () => ({ ...signed, signatures: [signed.signatures[0]!.slice(0, 63)] }), CodecErrorCode.BAD_FIELD, 'signatures.0'],
    ['a string for the signature list', () => ({ ...signed, signatures: signed.signatures[0] }), CodecErrorCode.BAD_FIELD, 'signatures'],
    ['an account object', () => ({ tag: Tag.Account, version: 1, nonce: 0n, balance: 1n }), CodecErrorCode.BAD_FIELD, 'tag'],
  ];
  it.each(cases)('%s', (_name, make, code, path) => expectFault(() => buildTx(make() as SignedTx), code, path));

  it('rejects values that are not objects', () => {
    expectFault(() => buildTx(null as unknown as SignedTx), CodecErrorCode.BAD_FIELD);
    expectFault(() => buildTx({ tag: '11', version: 1 } as unknown as SignedTx), CodecErrorCode.BAD_FIELD, 'tag');
    expectFault(() => buildTx({ tag: 11 } as unknown as SignedTx), CodecErrorCode.BAD_FIELD, 'version');
  });

  it('checks binary fields and list elements in any object', () => {
    const meta = { tag: Tag.ChannelOffChainUpdateMeta, version: 2, data: 'hi' } as unknown as ChainObject;
    expectFault(() => serializeObject(meta), CodecErrorCode.BAD_FIELD, 'data');
    const channel = { ...unpackTx(CREATE, Tag.SignedTx).encodedTx, delegateIds: [AK, 7] } as ChainObject;
    expectFault(() => serializeObject(channel), CodecErrorCode.BAD_FIELD, 'delegateIds.1');
  });

  it('writes signatures sorted bytewise, as the node does', () => {
    expect(buildTx({ ...signed, signatures: [...signed.signatures].reverse() })).toBe(COSIGNED);
  });
});

describe('round trips', () => {
  it('decodes the payload kinds: a co-signed state, or null for the last on-chain state', () => {
    const snapshot = unpackTx(SNAPSHOT, Tag.SignedTx).encodedTx;
    expect(snapshot.tag === Tag.ChannelSnapshotSoloTx && snapshot.payload?.encodedTx.tag).toBe(Tag.ChannelOffChainTx);
    const close = unpackTx(CLOSE_SOLO, Tag.SignedTx).encodedTx;
    expect(close.tag === Tag.ChannelCloseSoloTx && close.payload).toBeNull();
    expect(close.tag === Tag.ChannelCloseSoloTx && close.poi.startsWith('pi_')).toBe(true);
    if (close.tag !== Tag.ChannelCloseSoloTx) throw new Error('not a close solo');
    expect(buildTx({ ...unpackTx(CLOSE_SOLO, Tag.SignedTx), encodedTx: { ...close, payload: undefined as unknown as null } })).toBe(CLOSE_SOLO);
  });

  it('serializes accounts as the node does (protocol-facts §1.3 example)', () => {
    const account = { tag: Tag.Account, version: 1, nonce: 0n, balance: 69999999999998n } as const;
    const bytes = serializeObject(account);
    expect(toHex(bytes)).toBe('ca0a0100863faa25225ffe');
    expect(deserializeObject(bytes, Tag.Account)).toEqual(account);
  });

  const objects: ChainObject[] = [
    { tag: Tag.Account, version: 2, flags: 0n, nonce: 3n, balance: 10n ** 30n, gaContract: CT, gaAuthFun: new Uint8Array(32).fill(7) },
    { tag: Tag.Account, version: 3, flags: 1n, nonce: 0n, balance: 5n },
    {
      tag: Tag.Channel, version: 1, initiatorId: AK, responderId: AK2, channelAmount: 30n, initiatorAmount: 10n, responderAmount: 20n,
      channelReserve: 2n, delegateIds: [AK2], stateHash: STATE_HASH,
      round: 1n, soloRound: 0n, lockPeriod: 10n, lockedUntil: 0n,
    },
    {
      tag: Tag.Channel, version: 2, initiatorId: AK, responderId: AK2, channelAmount: 30n, initiatorAmount: 10n, responderAmount: 20n,
      channelReserve: 2n, delegateIds: [], stateHash: STATE_HASH, round: 1n, soloRound: 0n, lockPeriod: 10n, lockedUntil: 0n,
      initiatorAuth: new Uint8Array(0), responderAuth: new Uint8Array(64).fill(1),
    },
    {
      tag: Tag.Channel, version: 3, initiatorId: AK, responderId: AK2, channelAmount: 30n, initiatorAmount: 10n, responderAmount: 20n,
      channelReserve: 2n, initiatorDelegateIds: [AK2], responderDelegateIds: [AK, AK2], stateHash: STATE_HASH, round: 9n,
      soloRound: 3n, lockPeriod: 10n, lockedUntil: 123n, initiatorAuth: new Uint8Array(0), responderAuth: new Uint8Array(0),
    },
    { tag: Tag.ChannelOffChainUpdateTransfer, version: 1, from: AK, to: AK2, amount: 1n },
    { tag: Tag.ChannelOffChainUpdateDeposit, version: 1, from: AK, amount: 0n },
    { tag: Tag.ChannelOffChainUpdateWithdraw, version: 1, to: AK2, amount: 2n ** 64n },
    { tag: Tag.ChannelOffChainUpdateCreateContract, version: 1, owner: AK, ctVersion: 0x50003n, code: bytes(1, 2, 3), deposit: 0n, callData: bytes() },
    { tag: Tag.ChannelOffChainUpdateMeta, version: 2, data: bytes(104, 105) },
    {
      tag: Tag.ChannelOffChainTx, version: 1, channelId: CHANNEL, round: 4n, stateHash: STATE_HASH,
      updates: [{ tag: Tag.ChannelOffChainUpdateTransfer, version: 1, from: AK, to: AK2, amount: 1n }, { tag: Tag.ChannelOffChainUpdateMeta, version: 2, data: bytes() }],
    },
    { tag: Tag.SpendTx, version: 1, senderId: AK, recipientId: CT, amount: 1n, fee: 2n, ttl: 0n, nonce: 3n, payload: bytes(0xff) },
    {
      tag: Tag.GaMetaTx, version: 2, gaId: AK, authData: bytes(1), abiVersion: 3n, fee: 1n, gas: 20000n, gasPrice: 1n,
      tx: unpackTx(CREATE, Tag.SignedTx),
    },
    {
      tag: Tag.ChannelSetDelegatesTx, version: 1, channelId: CHANNEL, fromId: AK, initiatorDelegateIds: [AK2], responderDelegateIds: [],
      payload: null, stateHash: STATE_HASH, round: 3n, ttl: 0n, fee: 1n, nonce: 2n,
    },
  ];
  it.each(objects.map((o) => [`${o.tag} v${o.version}`, o] as const))('serializeObject/deserializeObject: %s', (_name, object) => {
    const bytes = serializeObject(object);
    expect(deserializeObject(bytes)).toEqual(object);
    expect(serializeObject(deserializeObject(bytes))).toEqual(bytes);
  });

  it('decoded binaries are copies, not views of the input', () => {
    const bytes = serializeObject({ tag: Tag.ChannelOffChainUpdateMeta, version: 2, data: Uint8Array.of(1, 2) });
    const decoded = deserializeObject(bytes, Tag.ChannelOffChainUpdateMeta);
    bytes.fill(0);
    expect([...decoded.data]).toEqual([1, 2]);
  });

  it('a decoded tx either fails with a CodecError or re-encodes to exactly its bytes (mutation fuzz)', () => {
    const original = decode(CREATE, 'tx');
    fc.assert(
      fc.property(fc.nat(original.length - 1), fc.integer({ min: 0, max: 255 }), fc.constantFrom('set', 'insert', 'delete'), (at, byte, how) => {
        const mutated = Array.from(original);
        if (how === 'set') mutated[at] = byte;
        else if (how === 'insert') mutated.splice(at, 0, byte);
        else mutated.splice(at, 1);
        const input = Uint8Array.from(mutated);
        let object;
        try {
          object = deserializeObject(input);
        } catch (e) {
          expect(e).toBeInstanceOf(CodecError);
          return;
        }
        expect(toHex(serializeObject(object))).toBe(toHex(input));
      }),
      { numRuns: 3000 },
    );
  });
});

function stateHashOf(tx: Encoded<'tx'>): Encoded<'st'> {
  const inner = unpackTx(tx, Tag.SignedTx).encodedTx;
  if (!('stateHash' in inner)) throw new Error('no state hash');
  return inner.stateHash;
}

function channelOf(tx: Encoded<'tx'>): Encoded<'ch'> {
  const inner = unpackTx(tx, Tag.SignedTx).encodedTx;
  if (inner.tag !== Tag.ChannelOffChainTx) throw new Error('not an off-chain tx');
  return inner.channelId;
}
