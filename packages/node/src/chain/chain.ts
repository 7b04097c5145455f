/**
 * An in-memory aeternity chain for channel clients: accounts, channels, a mempool and blocks, with
 * the node's validation of every on-chain tx the channel protocol uses.
 */
import { decode, type Encoded, type UnsignedTx } from '@ch/codec';
import { nextNonce } from './accounts.js';
import type { ChannelObject } from './channels.js';
import { ChainErrorCode, check } from './errors.js';
import { DEFAULT_MIN_GAS_PRICE, fee, PROTOCOL_MIN_GAS_PRICE } from './fees.js';
import { Ledger, type AccountState } from './ledger.js';
import { MiningSchedule, type MiningMode } from './mining.js';
import { applyTx, readSubmission, type Submission } from './tx/index.js';
import type { Protocol } from './tx/kinds.js';

export interface GenesisAccount {
  publicKey: Encoded<'ak'>;
  balance: bigint;
}

export interface ChainOptions {
  /** Signatures are checked under this id: the one the clients sign with (e.g. `local_iris_testnet`). */
  networkId: string;
  accounts?: readonly GenesisAccount[];
  /** Default `'instant'`. */
  mining?: MiningMode;
  /** The miner's minimum gas price; default 1e9, the node's `mining.min_miner_gas_price`. */
  minGasPrice?: bigint;
  /**
   * Lima takes create tx version 1 only and Iris version 2 only, as the node does. Unset, both are
   * taken: the 2020 example logs sign version 1 creates with `local_iris_testnet`.
   */
  protocol?: Protocol;
}

export interface Block {
  readonly height: number;
  readonly txHashes: readonly Encoded<'th'>[];
  /** When it was mined, ms since the epoch. */
  readonly time: number;
}

export interface IncludedTx extends Submission {
  readonly height: number;
}

/** Calls every listener even if one throws; a listener's error surfaces as an uncaught exception. */
function notify<T>(listeners: Iterable<(event: T) => void>, event: T): void {
  for (const listener of listeners) {
    try {
      listener(event);
    } catch (e) {
      queueMicrotask(() => {
        throw e;
      });
    }
  }
}

export class Chain {
  readonly networkId: string;
  readonly protocol: Protocol | undefined;
  readonly minGasPrice: bigint;
  readonly #blocks: Block[] = [];
  /** At the top block. */
  readonly #state: Ledger;
  /** The top block's state with the mempool applied, as the next block will hold it: a fork of #state. */
  #pending: Ledger;
  readonly #mempool = new Map<Encoded<'th'>, Submission>();
  readonly #txHeights = new Map<Encoded<'th'>, number>();
  readonly #blockListeners = new Set<(block: Block) => void>();
  readonly #txListeners = new Set<(tx: IncludedTx) => void>();
  readonly #mining: MiningSchedule;

  constructor(options: ChainOptions) {
    this.networkId = options.networkId;
    this.protocol = options.protocol;
    this.minGasPrice = options.minGasPrice ?? DEFAULT_MIN_GAS_PRICE;
    const genesis = new Map<Encoded<'ak'>, AccountState>();
    for (const { publicKey, balance } of options.accounts ?? []) {
      decode(publicKey, 'ak'); // a malformed key fails here, not at the first tx naming it
      if (genesis.has(publicKey)) throw new RangeError(`genesis account ${publicKey} is listed twice`);
      if (balance < 0n) throw new RangeError(`genesis account ${publicKey} has a negative balance`);
      genesis.set(publicKey, { balance, nonce: 0n });
    }
    this.#state = new Ledger(genesis);
    this.#pending = this.#state.fork();
    this.#blocks.push({ height: 0, txHashes: [], time: Date.now() });
    this.#mining = new MiningSchedule(options.mining ?? 'instant', () => this.mine(), () => this.#mempool.size > 0);
  }

  /** The top block's height; the genesis block is 0. */
  get height(): number {
    return this.#blocks.length - 1;
  }

  block(height: number): Block | undefined {
    return this.#blocks[height];
  }

  /** At the top block. */
  account(id: Encoded<'ak'>): AccountState | undefined {
    return this.#state.account(id);
  }

  /** At the top block; undefined once closed (mutually or by settle). */
  channel(id: Encoded<'ch'>): ChannelObject | undefined {
    return this.#state.channel(id);
  }

  /** The nonce the account's next tx must carry, counting its txs in the mempool. */
  nextNonce(id: Encoded<'ak'>): bigint {
    return nextNonce(this.#pending, id);
  }

  /** The height of the block holding the tx, if one does. */
  txHeight(txHash: Encoded<'th'>): number | undefined {
    return this.#txHeights.get(txHash);
  }

  /** The fee the node's FSM would give `tx` (see `fee`), at this chain's gas price. */
  fee(tx: UnsignedTx | Encoded<'tx'>): bigint {
    const gasPrice = this.minGasPrice > PROTOCOL_MIN_GAS_PRICE ? this.minGasPrice : PROTOCOL_MIN_GAS_PRICE;
    return fee(tx, { gasPrice });
  }

  /** Checks `tx` against the mempool's state without keeping it; throws ChainError. */
  validate(tx: Encoded<'tx'>): { txHash: Encoded<'th'> } {
    return { txHash: this.#check(tx).submission.txHash };
  }

  /** Checks `tx` and puts it in the mempool, for the next block; throws ChainError and changes nothing if it is invalid. */
  submit(tx: Encoded<'tx'>): { txHash: Encoded<'th'> } {
    const { submission, ledger } = this.#check(tx);
    ledger.commit();
    this.#mempool.set(submission.txHash, submission);
    this.#mining.submitted();
    return { txHash: submission.txHash };
  }

  #check(tx: Encoded<'tx'>): { submission: Submission; ledger: Ledger } {
    const submission = readSubmission(tx);
    const { txHash } = submission;
    check(!this.#mempool.has(txHash) && !this.#txHeights.has(txHash), ChainErrorCode.DUPLICATE_TX, `${txHash} was submitted already`);
    const ledger = this.#pending.fork();
    applyTx(submission, {
      ledger,
      height: BigInt(this.height + 1),
      networkId: this.networkId,
      protocol: this.protocol,
      minGasPrice: this.minGasPrice,
    });
    return { submission, ledger };
  }

  /** Makes the next block from the whole mempool now, whatever the mining mode. */
  mine(): Block {
    const block: Block = { height: this.#blocks.length, txHashes: [...this.#mempool.keys()], time: Date.now() };
    const included = [...this.#mempool.values()];
    this.#mempool.clear();
    this.#blocks.push(block);
    this.#pending.commit();
    this.#pending = this.#state.fork();
    for (const { txHash } of included) this.#txHeights.set(txHash, block.height);
    for (const tx of included) notify(this.#txListeners, { ...tx, height: block.height });
    notify(this.#blockListeners, block);
    return block;
  }

  /** Called for every block once its txs are on chain; returns the unsubscriber. */
  onBlock(listener: (block: Block) => void): () => void {
    this.#blockListeners.add(listener);
    return () => this.#blockListeners.delete(listener);
  }

  /** Called for every tx as its block lands, before the block's own listeners; returns the unsubscriber. */
  onTx(listener: (tx: IncludedTx) => void): () => void {
    this.#txListeners.add(listener);
    return () => this.#txListeners.delete(listener);
  }

  /**
   * Resolves once the tx is at least `depth` blocks deep, depth being top height − the tx's height
   * as in the node's chain watcher (0: as soon as it is on chain). It may be called before the tx
   * is submitted.
   */
  waitForDepth(txHash: Encoded<'th'>, depth: number): Promise<void> {
    const reached = (): boolean => {
      const height = this.#txHeights.get(txHash);
      return height !== undefined && this.height - height >= depth;
    };
    if (reached()) return Promise.resolve();
    return new Promise((resolve) => {
      const unsubscribe = this.onBlock(() => {
        if (!reached()) return;
        unsubscribe();
        resolve();
      });
    });
  }

  /** Stops mining by timer; `mine()` still works. */
  stop(): void {
    this.#mining.stop();
  }
}
