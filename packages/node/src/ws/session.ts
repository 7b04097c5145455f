/**
 * One client's WebSocket session (sc_ws_handler): it owns the client's FSM and relays between
 * them. Like the node's handler process it does one thing at a time, in arrival order: a request
 * the FSM holds back (postponed in a transition state) holds back everything after it, FSM
 * reports included, until it is answered. What waits is capped (`maxBacklogBytes`): beyond it the
 * node stops reading the client's socket until half of it is handled, so a client whose FSM
 * holds a request back cannot queue without bound.
 */
import type { Encoded } from '@ch/codec';
import { errorReply, JsonRpcErrorCode, DataCode, nodeNotification, parseJson, stringifyJson, type JsonValue, type NodeErrorReply, type NodeMessage, type NodeNotification } from '@ch/rpc';
import type { ClientPort, ClientReport } from '../fsm/events.js';
import type { ChannelFsm } from '../fsm/fsm.js';
import type { Profile } from '../profiles.js';
import type { ConnectionLimits } from './limits.js';
import { notification } from './notify.js';
import { processRequest, type ErrorReason, type Outcome } from './requests.js';

/** The socket as the session uses it. */
export interface ClientSocket {
  send(text: string): void;
  close(): void;
  /** Stop reading the client's socket (TCP then pushes back on it), or read it again. */
  pauseReading(): void;
  resumeReading(): void;
}

export type SessionLimits = Pick<ConnectionLimits, 'maxBacklogBytes' | 'maxBatchCalls' | 'maxFrameBytes'>;

type Work = { kind: 'text'; text: string } | { kind: 'report'; report: ClientReport } | { kind: 'close' };

type Request = { readonly [key: string]: JsonValue };

/** What the session writes: the node's typed messages, and replies echoing what the client sent. */
type Outgoing = NodeMessage | NodeNotification | JsonValue;

/** sc_ws_api_jsonrpc `unpack/1`: a JSON-RPC 2.0 call has `jsonrpc` and a `method`. */
function isCall(msg: JsonValue): msg is Request {
  return typeof msg === 'object' && msg !== null && !Array.isArray(msg) && msg.jsonrpc === '2.0' && typeof msg.method === 'string';
}

/** json_rpc_error_object/2: JSON-RPC code and data codes per reason. */
const ERRORS: { readonly [R in ErrorReason]: { code: JsonRpcErrorCode; data?: DataCode; message?: string } } = {
  unhandled: { code: JsonRpcErrorCode.METHOD_NOT_FOUND },
  not_a_number: { code: JsonRpcErrorCode.REJECTED, data: DataCode.NOT_A_NUMBER },
  broken_account: { code: JsonRpcErrorCode.REJECTED, data: DataCode.BROKEN_ACCOUNT_PUBKEY },
  broken_contract: { code: JsonRpcErrorCode.REJECTED, data: DataCode.BROKEN_CONTRACT_PUBKEY },
  not_found: { code: JsonRpcErrorCode.REJECTED, data: DataCode.NOT_FOUND },
  broken_transaction: { code: JsonRpcErrorCode.REJECTED, data: DataCode.BROKEN_TRANSACTION },
  invalid_meta: { code: JsonRpcErrorCode.REJECTED, data: DataCode.INVALID_META },
  insufficient_balance: { code: JsonRpcErrorCode.REJECTED, data: DataCode.INSUFFICIENT_BALANCE },
  negative_amount: { code: JsonRpcErrorCode.REJECTED, data: DataCode.NEGATIVE_AMOUNT },
  invalid_pubkeys: { code: JsonRpcErrorCode.REJECTED, data: DataCode.INVALID_PUBKEYS },
  not_allowed_now: { code: JsonRpcErrorCode.REJECTED, data: DataCode.NOT_ALLOWED_NOW },
  not_ready: { code: JsonRpcErrorCode.REJECTED, data: DataCode.NOT_READY },
  not_offchain_tx: { code: JsonRpcErrorCode.ACTION_NOT_ALLOWED, data: DataCode.OFFCHAIN_TX_EXPECTED },
  already_onchain: { code: JsonRpcErrorCode.REJECTED, data: DataCode.TX_ALREADY_ONCHAIN },
  internal: { code: JsonRpcErrorCode.INTERNAL_ERROR },
  invalid_request: { code: JsonRpcErrorCode.INVALID_REQUEST },
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
  /** Characters (bytes, for JSON's ASCII) of client text received and not yet handled. */
  #backlog = 0;
  #busy = false;
  #closed = false;

  constructor(
    readonly socket: ClientSocket,
    readonly profile: Profile,
    readonly limits: SessionLimits,
  ) {}

  /** The FSM is created after the session, since its first act is to report to it. */
  attach(fsm: ChannelFsm): void {
    this.#fsm = fsm;
  }

  /** A text frame from the client. */
  received(text: string): void {
    this.#backlog += text.length;
    if (this.#backlog > this.limits.maxBacklogBytes) this.socket.pauseReading();
    this.#push({ kind: 'text', text });
  }

  report(report: ClientReport): void {
    this.#push({ kind: 'report', report });
  }

  stopped(): void {
    this.#push({ kind: 'close' });
  }

  replaced(): void {
    this.#push({ kind: 'close' });
  }

  /** The client went away: the FSM decides whether it can go on without it. */
  disconnected(): void {
    this.#closed = true;
    this.#fsm?.clientLeft(this);
  }

  #push(work: Work): void {
    this.#work.push(work);
    if (!this.#busy) void this.#run();
  }

  async #run(): Promise<void> {
    this.#busy = true;
    while (this.#work.length > 0) {
      const work = this.#work.shift()!;
      try {
        if (work.kind === 'text') await this.#handleText(work.text);
        else if (work.kind === 'report') {
          this.#channelId ??= work.report.channelId;
          this.#send(notification(work.report.report, this.#channelId, this.profile));
        } else {
          this.#closed = true;
          this.socket.close();
        }
      } catch {
        // Whatever one message does, the session goes on serving the next: no input may stop it.
      }
      if (work.kind === 'text') {
        this.#backlog -= work.text.length;
        if (this.#backlog <= this.limits.maxBacklogBytes / 2) this.socket.resumeReading();
      }
    }
    this.#busy = false;
  }

  /**
   * A text frame (sc_ws_api process_incoming/2): one call, or a batch of them answered in one
   * frame. Calls that only succeed get "ok" if they have an id, unless others in the batch had
   * something to say: then only those are answered.
   */
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
    const batch = Array.isArray(msg) ? msg : [msg];
    // So is JSON that is not a JSON-RPC 2.0 call, or a batch with one such element (unpack/1 throws decode_error).
    if (!batch.every(isCall)) return;
    // The node takes batches of any size; here one is held to maxBatchCalls, so that one frame
    // cannot queue thousands of calls ahead of everything else. Refused whole, without its echo.
    if (batch.length > this.limits.maxBatchCalls) return this.#send(this.#errorReply('invalid_request', {}, null));
    const answers: Outgoing[] = [];
    for (const req of batch as Request[]) {
      const answer = await this.#answer(req, fsm);
      if (answer !== undefined) answers.push(answer);
    }
    const replies = answers.length > 0 ? answers : (batch as Request[]).filter((req) => req.id !== undefined).map((req) => this.#result(req.id!, 'ok'));
    if (replies.length > 0) this.#send(replies.length === 1 ? replies[0]! : replies);
  }

  /** What the node says to one call, if anything beyond a possible "ok". */
  async #answer(req: Request, fsm: ChannelFsm): Promise<Outgoing | undefined> {
    let outcome: Outcome;
    try {
      outcome = await processRequest(req, fsm, this.profile);
    } catch {
      // A request that crashes the node's handler gets nothing but its "ok" (process_incoming/2).
      return undefined;
    }
    const id = req.id;
    switch (outcome.kind) {
      case 'none':
        return undefined;
      case 'result':
        return id !== undefined ? this.#result(id, outcome.result as JsonValue) : nodeNotification(outcome.method, this.#channelId, outcome.result);
      case 'error':
        return this.#errorReply(outcome.reason, req, id ?? null);
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

  #result(id: JsonValue, result: JsonValue): JsonValue {
    return { channel_id: this.#channelId, id, jsonrpc: '2.0', result, version: 1 };
  }

  #send(value: Outgoing | readonly Outgoing[]): void {
    if (this.#closed) return;
    let text: string | undefined;
    try {
      text = stringifyJson(value as JsonValue);
    } catch {
      // JSON.parse takes any nesting but writing it back stops at the call stack: a request too
      // deep to echo is answered without its `request` echo rather than not at all.
    }
    // So is one whose echo would outgrow a frame (a request near the frame limit, or a batch of them).
    // A UTF-16 unit is at most 3 bytes: only a long text is measured, not every reply.
    const tooBig = (t: string): boolean => t.length * 3 > this.limits.maxFrameBytes && Buffer.byteLength(t) > this.limits.maxFrameBytes;
    if (text === undefined || tooBig(text)) text = stringifyJson(withoutEcho(value as JsonValue));
    this.socket.send(text);
  }
}

function withoutEcho(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(withoutEcho);
  if (typeof value !== 'object' || value === null || !('error' in value)) return value;
  const error = value.error as { [key: string]: JsonValue };
  return { ...value, error: { ...error, request: {} } };
}
