/**
 * Who signs. The client calls `signer.sign(tx, context)` only for txs that passed every check
 * (checks.ts); the context says what is being signed, so a signer can apply its own policy (amount
 * limits, asking a user, a hardware key) and refuse with an abort code the node relays to the peer.
 */
import { keyPairFromSecret, signTx, type Encoded, type TxEffect, type UnsignedTx } from '@ch/codec';
import type { OffChainUpdate, SignRequestMethod } from '@ch/rpc';
import { InvalidOptionError } from './errors.js';

export type Role = 'initiator' | 'responder';

export interface SignContext {
  /** The node's sign request, e.g. `channels.sign.update` (our update) or `channels.sign.update_ack` (the peer's). */
  readonly method: SignRequestMethod;
  readonly role: Role;
  readonly networkId: string;
  /** Undefined only while signing the create tx of a new channel. */
  readonly channelId: Encoded<'ch'> | undefined;
  /** The decoded transaction inside the request's `signed_tx`. */
  readonly tx: UnsignedTx;
  /** The off-chain updates it carries, as the node listed them (empty for on-chain closing txs). */
  readonly updates: readonly OffChainUpdate[];
  /** True for a tx this client asked for (its update, deposit, shutdown…); false for one the peer proposed. */
  readonly own: boolean;
  /**
   * What signing does, as the rule book computes it (@ch/codec `txEffect`): every account debited or
   * credited on and off chain, the fee, nonce, round and resulting state, for a wallet to show.
   */
  readonly effect?: TxEffect;
  /**
   * Fires when the node ends the round before this signer answered (a conflict, `aborted_update`,
   * a newer request, our own operation superseding the peer's, the socket closing, `timeouts.sign`):
   * whatever the signer answers then is dropped, so a wallet can close its prompt.
   */
  readonly signal: AbortSignal;
}

/**
 * The signed tx, `{ abort: code }` (1..65535) to refuse, or `{ decline: true }` to send nothing:
 * the node then ends the round by a conflict (the peer's proposal or our own one racing it) or its
 * own timeout.
 */
export type SignOutcome = Encoded<'tx'> | { readonly abort: number } | { readonly decline: true };

export interface Signer {
  sign(tx: Encoded<'tx'>, context: SignContext): SignOutcome | Promise<SignOutcome>;
}

/**
 * A signer holding a secret key (64-byte `sk`, or its 32-byte seed). It signs every checked tx
 * with the channel's network id; wrap it to add a policy.
 */
export function secretKeySigner(secretKey: Uint8Array, options: { hashed?: boolean } = {}): Signer {
  if (!(secretKey instanceof Uint8Array)) throw new InvalidOptionError('secretKey', 'must be a Uint8Array of 32 or 64 bytes');
  let account: Encoded<'ak'>;
  try {
    account = keyPairFromSecret(secretKey).publicKey;
  } catch (e) {
    throw new InvalidOptionError('secretKey', (e as Error).message);
  }
  const key = secretKey.slice();
  const signer: Signer = { sign: (tx, context) => signTx(tx, key, context.networkId, options) };
  builtIn.set(signer, account);
  return signer;
}

const builtIn = new WeakMap<Signer, Encoded<'ak'>>();

/**
 * Whether `signer` is one `secretKeySigner` made: it signs with @ch/codec's `signTx` and the
 * context's network id, so its signature needs no verifying (other signers' always gets it).
 */
export function isBuiltInSigner(signer: Signer): boolean {
  return builtIn.has(signer);
}

/** The account a `secretKeySigner` signs for (undefined for other signers), checked against the party's id before connecting. */
export function signerAccount(signer: Signer): Encoded<'ak'> | undefined {
  return builtIn.get(signer);
}
