import { describe, expect, it } from 'vitest';
import {
  ABORT_CODE_MAX,
  CONFLICT_MESSAGES,
  conflictMessage,
  DATA_CODE_MESSAGES,
  DataCode,
  errorReply,
  isValidAbortCode,
  JsonRpcErrorCode,
  stringifyMessage,
} from './index.js';

describe('conflict codes', () => {
  it.each([
    [1, 'validation error'],
    [2, 'conflict'],
    [3, 'timeout'],
    [4, 'abort'],
    [5, 'rejected on-chain'],
    [0, 'unknown'],
    [6, 'unknown'],
    [42, 'unknown'],
    [127, 'unknown'],
    [128, 'user-defined'],
    [147, 'user-defined'],
    [65535, 'user-defined'],
    [65536, 'unknown'],
    [-1, 'unknown'],
    [2.5, 'unknown'],
  ])('code %d is "%s"', (code, message) => {
    expect(conflictMessage(code)).toBe(message);
    expect(CONFLICT_MESSAGES).toContain(message);
  });
});

describe('abort codes', () => {
  it('accepts integers 1..65535 only', () => {
    for (const ok of [1, 42, 147, ABORT_CODE_MAX, 1n, 65535n]) expect(isValidAbortCode(ok)).toBe(true);
    for (const bad of [0, -1, 65536, 1.5, Number.NaN, 0n, 65536n]) expect(isValidAbortCode(bad)).toBe(false);
  });
});

describe('errorReply', () => {
  it('builds the node shape, messages from the catalogue, keys in the node order', () => {
    const reply = errorReply({
      channelId: null,
      code: JsonRpcErrorCode.REJECTED,
      data: [DataCode.BROKEN_ACCOUNT_PUBKEY, DataCode.BROKEN_CONTRACT_PUBKEY],
      request: { jsonrpc: '2.0', method: 'channels.get.poi', params: {} },
    });
    expect(stringifyMessage(reply)).toBe(
      '{"channel_id":null,"error":{"code":3,"data":[{"code":1005,"message":"Broken encoding: account pubkey"},' +
        '{"code":1006,"message":"Broken encoding: contract pubkey"}],"message":"Rejected",' +
        '"request":{"jsonrpc":"2.0","method":"channels.get.poi","params":{}}},"id":null,"jsonrpc":"2.0","version":1}',
    );
  });

  it('leaves out data and request when there are none, and keeps a request id', () => {
    const reply = errorReply({ channelId: 'ch_x', id: -576460752303423253n, code: JsonRpcErrorCode.PARSE_ERROR });
    expect(stringifyMessage(reply)).toBe('{"channel_id":"ch_x","error":{"code":-32700,"message":"Parse error"},"id":-576460752303423253,"jsonrpc":"2.0","version":1}');
  });

  it('has a message for every data code', () => {
    for (const code of Object.values(DataCode)) expect(DATA_CODE_MESSAGES[code]).toMatch(/\w/);
  });
});
