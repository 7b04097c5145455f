/**
 * One client's WebSocket session (sc_ws_handler): it owns the client's FSM and relays between
 * them. Like the node's handler process it does one thing at a time, in arrival order: a request
 * the FSM holds back (postponed in a transition state) holds back everything after it, FSM
 * reports included, until it is answered.
 */
import type { Encoded } from '@ch/codec';
import { errorReply, JsonRpcErrorCode, DataCode, parseJson, stringifyJson, type JsonValue, type NodeErrorReply } from '@ch/rpc';
import type { ClientPort, ClientReport } from '../fsm/events.js';
import type { ChannelFsm } from '../fsm/fsm.js';
import type { Profile } from '../profiles.js';
import { notification } from './notify.js';
import { processRequest, type ErrorReason, type Outcome } from './requests.js';

/** The socket as the session uses it. */
export interface ClientSocket {
  send(text: string): void;
  close(): void;
}

type Work = { kind: 'text'; text: string } | { kind: 'report'; report: ClientReport } | { kind: 'stopped' };

/** json_rpc_error_object/2: JSON-RPC code and data codes per reason. */
const ERRORS: { readonly [R in ErrorReason]: { code: JsonRpcErrorCode; data?: DataCode; message?: string } } = {
  unhandled: { code: JsonRpcErrorCode.METHOD_NOT_FOUND },
  not_a_number: { code: JsonRpcErrorCode.REJECTED, data: DataCode.NOT_A_NUMBER },
  broken_account: { code: JsonRpcErrorCode.REJECTED, data: DataCode.BROKEN_ACCOUNT_PUBKEY },
  broken_transaction: { code: JsonRpcErrorCode.REJECTED, data: DataCode.BROKEN_TRANSACTION },
  invalid_meta: { code: JsonRpcErrorCode.REJECTED, data: DataCode.INVALID_META },
  insufficient_balance: { code: JsonRpcErrorCode.REJECTED, data: DataCode.INSUFFICIENT_BALANCE },
  negative_amount: { code: JsonRpcErrorCode.REJECTED, data: DataCode.NEGATIVE_AMOUNT },
  invalid_pubkeys: { code: JsonRpcErrorCode.REJECTED, data: DataCode.INVALID_PUBKEYS },
  not_allowed_now: { code: JsonRpcErrorCode.REJECTED, data: DataCode.NOT_ALLOWED_NOW },
  not_ready: { code: JsonRpcErrorCode.REJECTED, data: DataCode.NOT_READY },
  // The 2019 node named the range; later nodes no longer map this reason (-32603).
  error_code: { code: JsonRpcErrorCode.REJECTED, data: DataCode.INVALID_ERROR_CODE },
  unknown_request: { code: JsonRpcErrorCode.INTERNAL_ERROR },
  unknown_recipient: { code: JsonRpcErrorCode.INTERNAL_ERROR },
  no_contracts: { code: JsonRpcErrorCode.METHOD_NOT_FOUND, message: 'Method not found: the local node does not run contracts' },
  not_implemented: { code: JsonRpcErrorCode.METHOD_NOT_FOUND, message: 'Method not found: not implemented by the local node' },
};

export class ClientSession implements ClientPort {
  #fsm: ChannelFsm | undefined;
  #channelId: Encoded<'ch'> | null = null;
  readonly #work: Work[] = [];
  #busy = false;
  #closed = false;

  constructor(
    readonly socket: ClientSocket,
    readonly profile: Profile,
  ) {}

  /** The FSM is created after the session, since its first act is to report to it. */
  attach(fsm: ChannelFsm): void {
    this.#fsm = fsm;
  }

  /** A text frame from the client. */
  received(text: string): void {
    this.#push({ kind: 'text', text });
  }

  report(report: ClientReport): void {
    this.#push({ kind: 'report', report });
  }

  stopped(): void {
    this.#push({ kind: 'stopped' });
  }

  /** The client went away: the FSM goes too (it has no client to sign for it). */
  disconnected(): void {
    this.#closed = true;
    this.#fsm?.stop();
  }

  #push(work: Work): void {
    this.#work.push(work);
    if (!this.#busy) void this.#run();
  }

  async #run(): Promise<void> {
    this.#busy = true;
    while (this.#work.length > 0) {
      const work = this.#work.shift()!;
      if (work.kind === 'text') await this.#handleText(work.text);
      else if (work.kind === 'report') {
        this.#channelId ??= work.report.channelId;
        this.#send(notification(work.report.report, this.#channelId));
      } else {
        this.#closed = true;
        this.socket.close();
      }
    }
    this.#busy = false;
  }

  async #handleText(text: string): Promise<void> {
    const fsm = this.#fsm;
    if (fsm === undefined || fsm.stopped) return;
    let msg: JsonValue;
    try {
      msg = parseJson(text);
    } catch {
      // Unparsable text is dropped without a reply (sc_ws_api try_seq/2, decode_error).
      return;
    }
    // So is JSON that is not a JSON-RPC 2.0 call (unpack/1 throws decode_error).
    if (typeof msg !== 'object' || msg === null || Array.isArray(msg) || msg.jsonrpc !== '2.0' || typeof msg.method !== 'string') return;
    const id = msg.id === undefined ? undefined : msg.id;
    let outcome: Outcome;
    try {
      outcome = await processRequest(msg, fsm, this.profile);
    } catch {
      // A request that crashes the node's handler gets nothing but its "ok" (process_incoming/2).
      outcome = { kind: 'none' };
    }
    switch (outcome.kind) {
      case 'none':
        if (id !== undefined) this.#reply(id, 'ok');
        return;
      case 'result':
        if (id !== undefined) this.#reply(id, outcome.result);
        else this.#send({ jsonrpc: '2.0', method: outcome.method, params: { channel_id: this.#channelId, data: outcome.result }, version: 1 });
        return;
      case 'error':
        this.#send(this.#errorReply(outcome.reason, msg, id ?? null));
        return;
      case 'stop':
        // aesc_fsm:stop/1 returns once the FSM is gone: its `died` comes after this reply.
        if (id !== undefined) this.#reply(id, 'ok');
        fsm.stop();
        return;
    }
  }

  #errorReply(reason: ErrorReason, request: JsonValue, id: JsonValue): NodeErrorReply {
    const { code, data, message } = ERRORS[reason];
    const reply = errorReply({
      channelId: this.#channelId,
      id: id as NodeErrorReply['id'],
      code: reason === 'error_code' && this.profile.name !== 'seed' ? JsonRpcErrorCode.INTERNAL_ERROR : code,
      ...(data !== undefined && !(reason === 'error_code' && this.profile.name !== 'seed') && { data: [data] }),
      request,
    });
    return message === undefined ? reply : { ...reply, error: { ...reply.error, message } };
  }

  #reply(id: JsonValue, result: JsonValue): void {
    this.#send({ channel_id: this.#channelId, id, jsonrpc: '2.0', result, version: 1 });
  }

  #send(value: JsonValue | NodeErrorReply): void {
    if (this.#closed) return;
    this.socket.send(stringifyJson(value as JsonValue));
  }
}
