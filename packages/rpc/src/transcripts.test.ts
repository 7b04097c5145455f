/**
 * Every message of every recorded transcript, in its direction: it parses into its typed variant,
 * prints back JSON-equal with every integer exact, and replies find their requests by id.
 */
import { describe, expect, it } from 'vitest';
import {
  DataCode,
  errorReply,
  isClientMethod,
  isNodeMethod,
  parseMessage,
  readResult,
  RpcErrorCode,
  stringifyMessage,
  type ClientMethod,
  type JsonRpcErrorCode,
  type NodeErrorReply,
  type NodeMessage,
  type RpcId,
} from './index.js';
import { loadTranscripts, losslessEqual, wireMessages, type WireMessage } from './test-support/transcripts.js';

const transcripts = loadTranscripts();
const messages = wireMessages(transcripts);
const direction = (m: WireMessage) => (m.step.dir === 'send' ? 'toNode' : 'fromNode');

/** Data codes the node derives from the request alone (types and encodings); the rest depend on channel state. */
const SYNTACTIC: ReadonlySet<number> = new Set([
  DataCode.BROKEN_ACCOUNT_PUBKEY,
  DataCode.BROKEN_CONTRACT_PUBKEY,
  DataCode.NOT_A_NUMBER,
  DataCode.BROKEN_CONTRACT_BYTEARRAY,
  DataCode.BROKEN_TRANSACTION,
  DataCode.INVALID_META,
  DataCode.INVALID_ERROR_CODE,
]);

const byStep = new Map(messages.map((m) => [`${m.file}#${m.step.index}`, m]));

/** The node's reply to a sent message, by its `reply_step`. */
function replyTo(m: WireMessage): NodeMessage | undefined {
  const reply = m.step.reply_step === undefined ? undefined : byStep.get(`${m.file}#${m.step.reply_step}`);
  const parsed = reply && parseMessage(reply.text, 'fromNode');
  return parsed?.ok ? parsed.message : undefined;
}

describe('transcripts', () => {
  it('has every recorded message', () => {
    expect(transcripts).toHaveLength(69);
    expect(messages).toHaveLength(21_699);
  });

  it('parses every message into its typed variant and prints it back JSON-equal, integers exact', () => {
    const counts = { request: 0, notification: 0, response: 0, error_response: 0, rejected: 0 };
    for (const m of messages) {
      const r = parseMessage(m.text, direction(m));
      if (r.ok) {
        const msg = r.message as unknown as Record<string, unknown>;
        if (m.step.dir === 'send') expect(isClientMethod(msg.method), m.text).toBe(true);
        else if (m.step.kind === 'notification') expect(isNodeMethod(msg.method), m.text).toBe(true);
        else expect(msg[m.step.kind === 'response' ? 'result' : 'error'], m.text).toBeDefined();
        counts[m.step.kind!]++;
        expect(losslessEqual(stringifyMessage(r.message), m.text), m.text).toBe(true);
      } else {
        // Calls the node refused for their params: a known method whose faults carry the node's codes.
        expect(r.error.code, `${m.file}#${m.step.index}: ${r.error.message}`).toBe(RpcErrorCode.INVALID_PARAMS);
        expect(m.step.dir).toBe('send');
        expect(isClientMethod(r.error.method)).toBe(true);
        expect(losslessEqual(stringifyMessage(r.error.request!), m.text)).toBe(true);
        counts.rejected++;
      }
    }
    // The node refused 4,972 sent calls; 4,864 of them for their params alone (see the next test).
    expect(counts).toEqual({ request: 1834, notification: 2078 + 6092, response: 1831, error_response: 5000, rejected: 4864 });
  });

  it('refuses exactly the calls the node refused for their params, with the same data codes', () => {
    let compared = 0;
    for (const m of messages.filter((x) => x.step.dir === 'send')) {
      const reply = replyTo(m);
      const nodeCodes = reply && 'error' in reply ? (reply.error.data ?? []).map((d) => d.code) : [];
      const r = parseMessage(m.text, 'toNode');
      if (nodeCodes.some((c) => SYNTACTIC.has(c))) {
        expect(r.ok, m.text).toBe(false);
        if (!r.ok) expect(r.error.dataCodes, m.text).toEqual(nodeCodes);
        compared++;
      } else {
        expect(r.ok, `${m.text}: ${r.ok ? '' : r.error.message}`).toBe(true);
      }
    }
    expect(compared).toBe(4864);
  });

  it('rebuilds every error reply of the node from its parts', () => {
    const replies = messages.filter((m) => m.step.kind === 'error_response');
    for (const m of replies) {
      const r = parseMessage(m.text, 'fromNode');
      if (!r.ok) throw r.error;
      const { channel_id, id, error } = r.message as NodeErrorReply;
      const rebuilt = errorReply({
        channelId: channel_id,
        id,
        code: error.code as JsonRpcErrorCode,
        data: error.data?.map((d) => d.code as DataCode),
        request: error.request,
      });
      expect(losslessEqual(stringifyMessage(rebuilt), m.text), m.text).toBe(true);
    }
    expect(replies).toHaveLength(5000);
  });

  it('keeps the request ids that collide as JS numbers distinct', () => {
    const ids = new Set<RpcId>();
    for (const m of messages) {
      const r = parseMessage(m.text, direction(m));
      const id = r.ok ? (r.message as { id?: RpcId | null }).id : undefined;
      if (id !== undefined && id !== null) ids.add(id);
    }
    const byNumber = new Map<number, Set<RpcId>>();
    for (const id of ids) {
      const n = Number(id);
      byNumber.set(n, (byNumber.get(n) ?? new Set()).add(id));
    }
    const colliding = [...byNumber.values()].filter((s) => s.size > 1);
    // 1,697 distinct ids, every one of them sharing its double with another: plain JSON.parse
    // would fold them into 29 values.
    expect(ids.size).toBe(1697);
    expect(colliding.reduce((n, s) => n + s.size, 0)).toBe(1697);
    expect(byNumber.size).toBe(29);
  });

  it('matches every reply to its request by id, and types its result by the request method', () => {
    let matched = 0;
    for (const t of transcripts) {
      // One pending table per connection, as a client keeps it.
      const pending = new Map<string, Map<RpcId, { index: number; method: ClientMethod }>>();
      for (const m of messages.filter((x) => x.file === t.file)) {
        const table = pending.get(m.step.actor) ?? new Map();
        pending.set(m.step.actor, table);
        const r = parseMessage(m.text, direction(m));
        if (!r.ok) continue;
        const msg = r.message as { id?: RpcId | null; method?: ClientMethod; result?: unknown };
        if (m.step.dir === 'send' && msg.id !== undefined && msg.id !== null) {
          table.set(msg.id, { index: m.step.index, method: msg.method! });
        } else if (m.step.dir === 'recv' && msg.id !== undefined && msg.id !== null) {
          const req = table.get(msg.id);
          expect(req, m.text).toBeDefined();
          table.delete(msg.id);
          expect(req!.index).toBe(m.step.in_reply_to);
          if (msg.result !== undefined) {
            const typed = readResult(req!.method, { result: msg.result });
            expect(typed.ok, typed.ok ? '' : typed.error.message).toBe(true);
          }
          matched++;
        }
      }
    }
    // 1,831 results and the 2 errors that answer a request with an id.
    expect(matched).toBe(1833);
  });
});
