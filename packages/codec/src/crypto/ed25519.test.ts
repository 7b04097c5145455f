import * as ed from '@noble/ed25519';
import { sha512 } from '@noble/hashes/sha2.js';
import { createPublicKey, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { concatBytes, utf8 } from '../bytes.js';
import { L, littleEndian, passesLibsodiumChecks } from './ed25519.js';
import { nativeEd25519 } from './ed25519-native.js';
import { nobleEd25519 } from './ed25519-noble.js';
import { defaultEd25519 } from './keys.js';

const P = 2n ** 255n - 19n;
const native = nativeEd25519!;
const backends = [nobleEd25519, native];

function le32(n: bigint): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = Number((n >> BigInt(8 * i)) & 0xffn);
  return out;
}

const seed = sha512(utf8('ed25519 test key')).subarray(0, 32);
const { scalar: a, pointBytes: pk } = ed.utils.getExtendedPublicKey(seed);
const message = utf8('local_iris_testnet and some tx bytes');

/** A signature with nonce point `R` that satisfies libsodium's equation: S = r + k·a. */
function forge(rScalar: bigint, R: ed.Point, publicKey = pk, msg = message): Uint8Array {
  const rBytes = R.toBytes();
  const k = littleEndian(sha512(concatBytes(rBytes, publicKey, msg))) % L;
  return concatBytes(rBytes, le32((rScalar + k * a) % L));
}

/** All eight points of order dividing 8, as the encodings libsodium blocks (sign bit 0 and 1). */
const torsionY = [0n, 1n, P - 1n, 0x05fc536d880238b13933c6d305acdfd5f098eff289f4c345b027b2c28f95e826n, 0x7a03ac9277fdc74ec6cc392cfa53202a0f67100d760b3cba4fd84d3d706a17c7n];
const order8 = ed.Point.fromBytes(le32(torsionY[3]!));

describe('Ed25519 backends', () => {
  it('default is the native backend on Node', () => {
    expect(defaultEd25519).toBe(native);
  });

  it('derive the same public keys and byte-identical signatures', () => {
    for (let i = 0; i < 50; i++) {
      const key = sha512(Uint8Array.of(i)).subarray(0, 32);
      const msg = sha512(Uint8Array.of(i, i)).subarray(0, i);
      expect(native.publicKey(key)).toEqual(nobleEd25519.publicKey(key));
      const sig = native.sign(msg, key);
      expect(sig).toEqual(nobleEd25519.sign(msg, key));
      expect(sig).toBeInstanceOf(Uint8Array);
      for (const b of backends) expect(b.verify(sig, msg, nobleEd25519.publicKey(key))).toBe(true);
    }
  });

  it('the blocked y-coordinates are exactly the points of small order', () => {
    for (const y of torsionY) expect(ed.Point.fromBytes(le32(y)).isSmallOrder()).toBe(true);
    expect(order8.double().double().is0()).toBe(false);
    expect(order8.multiply(8n, false).is0()).toBe(true);
    expect(ed.Point.fromBytes(pk).isSmallOrder()).toBe(false);
  });

  describe('accept exactly what libsodium crypto_sign_verify_detached accepts', () => {
    const valid = nobleEd25519.sign(message, seed);
    const flip = (bytes: Uint8Array, bit: number) => {
      const out = bytes.slice();
      out[bit >> 3]! ^= 1 << (bit & 7);
      return out;
    };
    const withS = (sig: Uint8Array, s: bigint) => concatBytes(sig.subarray(0, 32), le32(s));
    const s = littleEndian(valid.subarray(32));
    const rMixed = 0x1234567n;
    const zero = new Uint8Array(32);

    const cases: [name: string, sig: Uint8Array, msg: Uint8Array, key: Uint8Array, expected: boolean][] = [
      ['valid', valid, message, pk, true],
      ['valid, empty message', nobleEd25519.sign(new Uint8Array(0), seed), new Uint8Array(0), pk, true],
      ...[0, 7, 100, 255].map((bit): [string, Uint8Array, Uint8Array, Uint8Array, boolean] => [`R bit ${bit} flipped`, flip(valid, bit), message, pk, false]),
      ...[256, 300, 500, 503].map((bit): [string, Uint8Array, Uint8Array, Uint8Array, boolean] => [`S bit ${bit - 256} flipped`, flip(valid, bit), message, pk, false]),
      ['message bit flipped', valid, flip(message, 3), pk, false],
      ['public key bit flipped', valid, message, flip(pk, 9), false],
      ['S + L (non-canonical S)', withS(valid, s + L), message, pk, false],
      ['S + 2^253 (S ≥ L)', withS(valid, s + 2n ** 253n), message, pk, false],
      ['all-zero signature', new Uint8Array(64), message, pk, false],
      ['signature 63 bytes', valid.subarray(0, 63), message, pk, false],
      ['signature 65 bytes', concatBytes(valid, Uint8Array.of(0)), message, pk, false],
      ['public key 31 bytes', valid, message, pk.subarray(0, 31), false],
      ['public key 33 bytes', valid, message, concatBytes(pk, Uint8Array.of(0)), false],
      ['public key not on the curve', valid, message, le32(2n), false],
      ['non-canonical public key (y = p + 3)', valid, message, le32(P + 3n), false],
      // OpenSSL accepts these two forgeries; libsodium blocks small-order R and A.
      ['R = identity, S = k·a', forge(0n, ed.Point.ZERO), message, pk, false],
      ['public key = identity, R = [S]B', concatBytes(ed.Point.BASE.multiply(5n).toBytes(), le32(5n)), message, le32(1n), false],
      // noble's cofactored check accepts this one; libsodium's cofactorless equation does not.
      ['R with an order-8 component', forge(rMixed, ed.Point.BASE.multiply(rMixed).add(order8)), message, pk, false],
      ['same forgery with a torsion-free R', forge(rMixed, ed.Point.BASE.multiply(rMixed)), message, pk, true],
      ...torsionY.flatMap((y) => [
        [`small-order public key y=${y.toString(16).slice(0, 8)}`, valid, message, le32(y), false] as [string, Uint8Array, Uint8Array, Uint8Array, boolean],
        [`small-order public key y=${y.toString(16).slice(0, 8)}, sign bit`, valid, message, flip(le32(y), 255), false] as [string, Uint8Array, Uint8Array, Uint8Array, boolean],
        [`small-order R y=${y.toString(16).slice(0, 8)}`, concatBytes(le32(y), valid.subarray(32)), message, pk, false] as [string, Uint8Array, Uint8Array, Uint8Array, boolean],
      ]),
      ['non-canonical small-order public key (y = p)', valid, message, le32(P), false],
      ['non-canonical small-order R (y = p + 1)', concatBytes(le32(P + 1n), valid.subarray(32)), message, pk, false],
      ['R all zero, S zero', concatBytes(zero, zero), message, pk, false],
    ];

    it.each(cases)('%s', (_, sig, msg, key, expected) => {
      expect(nobleEd25519.verify(sig, msg, key)).toBe(expected);
      expect(native.verify(sig, msg, key)).toBe(expected);
    });

    it('needs its own checks: unchecked OpenSSL and noble accept some of the forgeries', () => {
      const byName = (name: string) => cases.find((c) => c[0] === name)!;
      const openssl = ([, sig, msg, key]: (typeof cases)[number]) =>
        verify(null, msg, createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), key]), format: 'der', type: 'spki' }), sig);
      expect(openssl(byName('R = identity, S = k·a'))).toBe(true);
      expect(openssl(byName('public key = identity, R = [S]B'))).toBe(true);
      const mixed = byName('R with an order-8 component');
      expect(ed.verify(mixed[1], mixed[2], mixed[3], { zip215: false })).toBe(true);
      expect(passesLibsodiumChecks(mixed[1], mixed[3])).toBe(true); // the equation rejects it, not the checks
    });
  });
});
