import { parseJson, stringifyJson, type JsonValue } from '@ch/rpc';
import { describe, expect, test } from 'vitest';
import { ChannelError, ChannelErrorKind, RpcRequestError, TimeoutError } from './errors.js';
import { RpcSession } from './rpc-session.js';

function session() {
  const sent: { [key: string]: JsonValue }[] = [];
  const notifications: string[] = [];
  const invalid: ChannelError[] = [];
  const rpc = new RpcSession((text) => sent.push(parseJson(text) as { [key: string]: JsonValue }), {
    onNotification: (m, seq) => notifications.push(`${seq}:${m.method}`),
    onInvalid: (e) => invalid.push(e),
  });
  return { rpc, sent, notifications, invalid };
}

const reply = (id: JsonValue, result: JsonValue) => stringifyJson({ channel_id: null, id, jsonrpc: '2.0', result, version: 1 });

describe('RpcSession', () => {
  test('ids are bigints from -2^59 up, matched exactly; results are typed', async () => {
    const { rpc, sent } = session();
    const a = rpc.request('channels.get.balances', { accounts: [] }, { timeoutMs: 1000 });
    const b = rpc.request('channels.system', { action: 'ping' }, { timeoutMs: 1000 });
    expect(sent.map((m) => m.id)).toEqual([-(2n ** 59n), -(2n ** 59n) + 1n]);
    rpc.receive(reply(-(2n ** 59n) + 1n, 'ok'));
    rpc.receive(reply(-(2n ** 59n), [{ account: 'ak_2J29WNS9gzYvK6VWkQQqmAyUu8DH7zHQ1CaN2hZr8B7cxGKNZn', balance: 10n ** 20n }]));
    expect(await b).toBe('ok');
    expect((await a)[0]?.balance).toBe(10n ** 20n);
  });

  test('onResult sees the reply before any later frame is read', () => {
    const { rpc, notifications } = session();
    const seen: string[] = [];
    void rpc.request('channels.system', { action: 'ping' }, { timeoutMs: 1000, onResult: (seq) => seen.push(`ok@${seq} after ${notifications.length}`) });
    rpc.receive(stringifyJson({ jsonrpc: '2.0', method: 'channels.info', params: { channel_id: null, data: { event: 'open' } }, version: 1 }));
    rpc.receive(reply(-(2n ** 59n), 'ok'));
    expect(seen).toEqual(['ok@2 after 1']);
  });

  test('error replies, with or without data, reject with RpcRequestError', async () => {
    const { rpc } = session();
    const p = rpc.request('channels.system', { action: 'ping' }, { timeoutMs: 1000 });
    rpc.receive(stringifyJson({ channel_id: null, error: { code: -32603, message: 'Internal error' }, id: -(2n ** 59n), jsonrpc: '2.0', version: 1 }));
    await expect(p).rejects.toEqual(expect.objectContaining({ code: -32603, data: undefined }));
    await expect(p).rejects.toBeInstanceOf(RpcRequestError);
  });

  test('timeouts and close settle every request; nothing is sent after close', async () => {
    const { rpc, sent } = session();
    const slow = rpc.request('channels.system', { action: 'ping' }, { timeoutMs: 20 });
    await expect(slow).rejects.toBeInstanceOf(TimeoutError);
    const pending = rpc.request('channels.system', { action: 'ping' }, { timeoutMs: 10_000 });
    rpc.close(new ChannelError(ChannelErrorKind.DISCONNECTED, 'gone'));
    await expect(pending).rejects.toMatchObject({ kind: 'disconnected' });
    await expect(rpc.request('channels.system', { action: 'ping' }, { timeoutMs: 10 })).rejects.toMatchObject({ kind: 'disconnected' });
    expect(sent).toHaveLength(2);
    expect(rpc.pendingCount).toBe(0);
  });

  test('garbage, unknown methods and replies to nothing are reported, not thrown', () => {
    const { rpc, invalid } = session();
    rpc.receive('not json');
    rpc.receive('{"jsonrpc":"2.0","method":"channels.no_such_report","params":{"channel_id":null,"data":{}},"version":1}');
    rpc.receive(reply(5, 'ok'));
    expect(invalid.map((e) => e.kind)).toEqual(['protocol', 'protocol', 'protocol']);
  });
});
