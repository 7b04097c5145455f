import { describe, expect, it } from 'vitest';
import {
  DataCode,
  errorReplyFor,
  notification,
  parseMessage,
  readResult,
  request,
  RpcErrorCode,
  stringifyMessage,
  type RpcError,
} from './index.js';

const ALICE = 'ak_fs6EmGDYByfXmnC7AUn6Lsoy3grUecciXbEFWjmqQuzb7CRVd';
const BOB = 'ak_fv8fZjtbf8fxH8B1iqY4RxkLZ8JTjjrRCVEGGv3Y4W5TjnwHB';
const CHANNEL = 'ch_hn6yxSrNoLqHnyB2PnmEcchbJsuoi1f7qwma4t8RKbBRaWDaH';

function refused(text: string, direction: 'toNode' | 'fromNode' = 'toNode'): RpcError {
  const r = parseMessage(text, direction);
  if (r.ok) throw new Error(`accepted: ${text}`);
  return r.error;
}

describe('parseMessage toNode', () => {
  it('types a transfer with bigint amounts and an exact id', () => {
    const text = `{"id":-576460752303423253,"jsonrpc":"2.0","method":"channels.update.new","params":{"amount":10000000000000000,"from":"${ALICE}","to":"${BOB}"}}`;
    const r = parseMessage(text, 'toNode');
    expect(r.ok).toBe(true);
    if (!r.ok || r.message.method !== 'channels.update.new') return;
    expect(r.message.id).toBe(-576460752303423253n);
    expect(r.message.params.amount).toBe(10000000000000000n);
    expect(stringifyMessage(r.message)).toBe(text);
  });

  it('reports unknown methods as such, with the id for the reply', () => {
    const e = refused('{"id":7,"jsonrpc":"2.0","method":"channels.nope","params":{}}');
    expect(e.code).toBe(RpcErrorCode.UNKNOWN_METHOD);
    expect(e.message).toContain('"channels.nope"');
    expect(e.id).toBe(7n);
    expect(errorReplyFor(e, null).error.code).toBe(-32601);
  });

  it('does not mistake Object.prototype names for methods', () => {
    for (const m of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      expect(refused(`{"jsonrpc":"2.0","method":"${m}","params":{}}`).code).toBe(RpcErrorCode.UNKNOWN_METHOD);
    }
  });

  it('names every bad field with its path, expectation, arrival and the node data code', () => {
    const e = refused(`{"jsonrpc":"2.0","method":"channels.get.poi","params":{"accounts":["ak_3NTNtGF"],"contracts":["ct_3NTNtGF"]}}`);
    expect(e.code).toBe(RpcErrorCode.INVALID_PARAMS);
    expect(e.path).toBe('params.accounts[0]');
    expect(e.message).toMatch(/^expected an encoded ak_ string, got "ak_3NTNtGF" \(.*\) \(and 1 more fault\) \(at params.accounts\[0\]\)$/);
    expect(e.faults.map((f) => f.path)).toEqual(['params.accounts[0]', 'params.contracts[0]']);
    expect(e.dataCodes).toEqual([DataCode.BROKEN_ACCOUNT_PUBKEY, DataCode.BROKEN_CONTRACT_PUBKEY]);
    const reply = errorReplyFor(e, CHANNEL);
    expect(reply.error.code).toBe(3);
    expect(reply.error.data?.map((d) => d.code)).toEqual([1005, 1006]);
    expect(reply.id).toBeNull();
  });

  it('checks checksums, not just prefixes', () => {
    const broken = ALICE.slice(0, -1) + (ALICE.endsWith('d') ? 'e' : 'd');
    const e = refused(`{"jsonrpc":"2.0","method":"channels.message","params":{"to":"${broken}","info":"hi"}}`);
    expect(e.faults[0]).toMatchObject({ path: 'params.to', dataCode: DataCode.BROKEN_ACCOUNT_PUBKEY });
    expect(e.faults[0]?.got).toContain('checksum');
  });

  it('answers a missing field as the node does: unhandled', () => {
    const e = refused(`{"jsonrpc":"2.0","method":"channels.update.new","params":{"amount":1,"from":"${ALICE}"}}`);
    expect(e.faults).toEqual([{ path: 'params.to', expected: 'an encoded ak_ string', got: 'nothing' }]);
    expect(errorReplyFor(e, CHANNEL).error.code).toBe(-32601);
  });

  it('validates abort codes in sign replies, looking at "error" first', () => {
    expect(parseMessage('{"jsonrpc":"2.0","method":"channels.update","params":{"error":147}}', 'toNode').ok).toBe(true);
    const e = refused('{"jsonrpc":"2.0","method":"channels.update","params":{"error":0,"signed_tx":"tx_x"}}');
    expect(e.dataCodes).toEqual([DataCode.INVALID_ERROR_CODE]);
  });

  it('refuses envelopes that are not JSON-RPC 2.0', () => {
    expect(refused('[]').code).toBe(RpcErrorCode.INVALID_REQUEST);
    expect(refused('{"jsonrpc":"1.0","method":"channels.leave","params":{}}').path).toBe('jsonrpc');
    expect(refused('{"jsonrpc":"2.0","id":1.5,"method":"channels.leave","params":{}}').path).toBe('id');
    expect(refused('{"jsonrpc":"2.0","params":{}}').path).toBe('method');
    expect(errorReplyFor(refused('{"jsonrpc":"2.0"}'), null).error.code).toBe(-32000);
    expect(errorReplyFor(refused('{'), null).error).toEqual({ code: -32700, message: 'Parse error' });
    expect(errorReplyFor(refused('[1]'), null).error).toEqual({ code: -32000, message: 'Invalid request' });
  });
});

describe('parseMessage fromNode', () => {
  it('types notifications by method', () => {
    const r = parseMessage(`{"jsonrpc":"2.0","method":"channels.conflict","params":{"channel_id":"${CHANNEL}","data":{"channel_id":"${CHANNEL}","error_code":147,"error_msg":"user-defined","round":5}},"version":1}`, 'fromNode');
    expect(r.ok).toBe(true);
    if (r.ok && 'method' in r.message && r.message.method === 'channels.conflict') {
      expect(r.message.params.data.round).toBe(5n);
    }
  });

  it('refuses unknown events and infos with the list of known ones', () => {
    const e = refused(`{"jsonrpc":"2.0","method":"channels.info","params":{"channel_id":null,"data":{"event":"party"}},"version":1}`, 'fromNode');
    expect(e.code).toBe(RpcErrorCode.INVALID_PARAMS);
    expect(e.path).toBe('params.data.event');
    expect(e.message).toContain('"fsm_up"');
  });

  it('requires the node fields: version and channel_id', () => {
    expect(refused('{"jsonrpc":"2.0","id":1,"result":"ok","channel_id":null}', 'fromNode').path).toBe('version');
    expect(refused('{"jsonrpc":"2.0","id":1,"result":"ok","version":1}', 'fromNode').path).toBe('channel_id');
    expect(refused('{"jsonrpc":"2.0","version":1}', 'fromNode').message).toContain('"method", "result" or "error"');
  });
});

describe('builders and results', () => {
  it('builds requests and notifications that parse back to themselves', () => {
    const req = request('channels.get.balances', { accounts: [ALICE, BOB] }, -576460752303423253n);
    const note = notification('channels.update.new', { from: ALICE, to: BOB, amount: 2n ** 64n });
    for (const m of [req, note]) {
      const r = parseMessage(stringifyMessage(m), 'toNode');
      expect(r.ok && r.message).toEqual(m);
    }
  });

  it('types a reply by the method of its request', () => {
    const r = parseMessage(`{"channel_id":"${CHANNEL}","id":-576460752303421186,"jsonrpc":"2.0","result":[{"account":"${ALICE}","balance":69999999999999}],"version":1}`, 'fromNode');
    if (!r.ok || !('result' in r.message)) throw new Error('not a result');
    const balances = readResult('channels.get.balances', r.message);
    expect(balances.ok && balances.result[0]?.balance).toBe(69999999999999n);
    const wrong = readResult('channels.get.offchain_state', r.message);
    expect(!wrong.ok && wrong.error.code).toBe(RpcErrorCode.INVALID_RESULT);
  });
});

describe('parseMessage fromNode: channels.error', () => {
  it('types the report the node sends before a validation conflict', () => {
    const text = '{"jsonrpc":"2.0","method":"channels.error","params":{"channel_id":null,"data":{"message":"bad_signature"}},"version":1}';
    const parsed = parseMessage(text, 'fromNode');
    expect(parsed.ok).toBe(true);
    if (parsed.ok && 'method' in parsed.message && parsed.message.method === 'channels.error') {
      expect(parsed.message.params.data.message).toBe('bad_signature');
    } else {
      expect.unreachable('channels.error should parse as a node notification');
    }
    expect(parseMessage(text.replace('"bad_signature"', '7'), 'fromNode').ok).toBe(false);
  });
});
