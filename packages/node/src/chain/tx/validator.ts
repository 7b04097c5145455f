/** What each tx family's module provides to the chain. */
import type { Encoded } from '@ch/codec';
import { debit } from '../accounts.js';
import { participants, requireChannel, type ChannelObject } from '../channels.js';
import type { Ledger } from '../ledger.js';
import type { OnChainTx, Protocol } from './kinds.js';

/** Where a tx is applied: a fork of the chain's ledger, at the height of the block that will hold it. */
export interface TxEnv {
  readonly ledger: Ledger;
  readonly height: bigint;
  readonly networkId: string;
  /** Undefined: take create txs of either version. */
  readonly protocol: Protocol | undefined;
}

export interface Validator<T extends OnChainTx> {
  /** The accounts whose signatures the tx needs (`aetx:signers/2`). */
  signers(tx: T, ledger: Ledger): Encoded<'ak'>[];
  /** The account whose nonce the tx uses (`aetx:origin/1`). */
  origin(tx: T): Encoded<'ak'>;
  /** Checks the tx as the node does and applies it to `env.ledger`; throws ChainError. Runs after the nonce is used. */
  apply(tx: T, env: TxEnv): void;
}

/** Signers of the txs both participants sign once the channel exists: deposit, withdraw, close_mutual. */
export function bothParticipants(tx: { channelId: Encoded<'ch'> }, ledger: Ledger): Encoded<'ak'>[] {
  return participants(requireChannel(ledger, tx.channelId));
}

/** What the txs one participant posts alone share: solo close, slash, snapshot and settle. */
export interface PostedAlone {
  channelId: Encoded<'ch'>;
  fromId: Encoded<'ak'>;
  fee: bigint;
}

/** A validator for a tx the poster alone signs and pays the fee of, on an existing channel, then checked by `rules`. */
export function postedAlone<T extends OnChainTx & PostedAlone>(rules: (tx: T, channel: ChannelObject, env: TxEnv) => void): Validator<T> {
  return {
    signers: (tx) => [tx.fromId],
    origin: (tx) => tx.fromId,
    apply(tx, env) {
      debit(env.ledger, tx.fromId, tx.fee);
      rules(tx, requireChannel(env.ledger, tx.channelId), env);
    },
  };
}
