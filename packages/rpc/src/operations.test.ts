import { Tag } from '@ch/codec';
import { describe, expect, it } from 'vitest';
import {
  abortableTags,
  answers,
  CLIENT_METHODS,
  DataCode,
  isClientMethod,
  isSignReplyMethod,
  OPERATIONS,
  operationOf,
  operationTx,
  parseMessage,
  REPLY_TAGS,
  RpcErrorCode,
  SIGN_REPLY_METHODS,
  SIGN_REQUESTS,
  signRequestMethod,
  type OperationName,
  type SignRequestMethod,
} from './index.js';

const TX = 'tx_+GQLAcC4X/hdOAGhBt61T4F/LX1Y2c86jJWTOPVPCleaewj8TcPg/ly7DaiUoQFkrg4IYt7TSzp77iFZuRSGwvSJKHZNvxOAiompi5WvgYY/qiUiX/+GJGE5yoABAIYPXtZ/KAAPwNjSug==';
const operations = Object.entries(OPERATIONS) as [OperationName, (typeof OPERATIONS)[OperationName]][];

function reply(method: string, params: string): ReturnType<typeof parseMessage<'toNode'>> {
  return parseMessage(`{"jsonrpc":"2.0","id":1,"method":"${method}","params":${params}}`, 'toNode');
}

describe('the operation catalogue', () => {
  it.each(operations)('%s: its request is a client method, its sign request its own and its ack the peer’s, on one tx', (name, op) => {
    expect(isClientMethod(op.request)).toBe(true);
    expect(operationOf(op.request)).toBe(name);
    if ('sign' in op) expect(SIGN_REQUESTS[op.sign].fromPeer).toBe(false);
    if ('ack' in op) {
      expect(SIGN_REQUESTS[op.ack].fromPeer).toBe(true);
      expect(SIGN_REQUESTS[op.ack].tx).toBe(operationTx(name));
    }
  });

  it('names the tx and completion of each on-chain operation', () => {
    expect(operationTx('closeSolo')).toBe(Tag.ChannelCloseSoloTx);
    expect(OPERATIONS.closeSolo.completion).toEqual({ kind: 'on_chain', txType: 'channel_close_solo_tx' });
    expect(OPERATIONS.snapshot.completion).toEqual({ kind: 'on_chain', txType: 'channel_snapshot_solo_tx', released: true });
    expect(OPERATIONS.deposit.completion).toEqual({ kind: 'round' });
    expect(operationTx('leave')).toBeUndefined();
  });

  it('every sign request is the one the node sends for its tag', () => {
    for (const [method, r] of Object.entries(SIGN_REQUESTS)) expect(signRequestMethod(r.tag)).toBe(method);
    expect(signRequestMethod('close_solo_tx')).toBe('channels.sign.close_solo_sign');
    expect(signRequestMethod('funding_created')).toBe('channels.sign.responder_sign');
  });

  it('abortable tags are aesc_fsm.hrl ?CANCEL_SIGN_TAGS and ?CANCEL_ACK_TAGS', () => {
    expect([...abortableTags('sign')].sort()).toEqual(['close_solo_tx', 'deposit_tx', 'force_progress_tx', 'settle_tx', 'shutdown', 'slash_tx', 'snapshot_solo_tx', 'update', 'withdraw_tx']);
    expect([...abortableTags('ack')].sort()).toEqual(['deposit_created', 'shutdown_ack', 'update_ack', 'withdraw_created']);
  });
});

describe('sign reply names', () => {
  it('are the 20 of ?METHOD_SIGNED, each a client method', () => {
    expect(REPLY_TAGS.size).toBe(20);
    for (const name of REPLY_TAGS.keys()) expect(name in CLIENT_METHODS).toBe(true);
  });

  it.each([
    ['channels.sign.close_solo_sign', 'channels.close_solo_sign', 'channels.close_solo_tx'],
    ['channels.sign.slash_tx', 'channels.slash_sign', 'channels.slash_tx'],
    ['channels.sign.settle_sign', 'channels.settle_sign', 'channels.settle_tx'],
    ['channels.sign.force_progress_tx', 'channels.force_progress_sign', 'channels.force_progress_tx'],
  ] as [SignRequestMethod, string, string][])('%s is answered by %s and by %s', (request, sign, tx) => {
    expect(SIGN_REPLY_METHODS[request]).toBe(sign);
    for (const name of [sign, tx]) {
      expect(answers(name, request)).toBe(true);
      const r = reply(name, `{"signed_tx":"${TX}"}`);
      expect(r.ok).toBe(true);
      expect(reply(name, '{"error":147}').ok).toBe(true);
    }
  });

  it('channels.snapshot_solo_tx is taken but answers no request (the node maps it to snapshot_tx)', () => {
    expect(isSignReplyMethod('channels.snapshot_solo_tx')).toBe(true);
    expect(reply('channels.snapshot_solo_tx', `{"signed_tx":"${TX}"}`).ok).toBe(true);
    expect(Object.keys(SIGN_REQUESTS).some((request) => answers('channels.snapshot_solo_tx', request as SignRequestMethod))).toBe(false);
    expect(answers('channels.snapshot_solo_sign', 'channels.sign.snapshot_solo_tx')).toBe(true);
  });

  it('a reply answers only requests of its own tag', () => {
    expect(answers('channels.update', 'channels.sign.update_ack')).toBe(false);
    expect(answers('channels.close_solo_tx', 'channels.sign.slash_tx')).toBe(false);
  });
});

describe('operation options', () => {
  const big = 2n ** 64n + 1n;

  it.each(['channels.deposit', 'channels.withdraw'])('%s takes nonce, fee, gas_price, meta and block_hash, integers lossless', (method) => {
    const r = reply(method, `{"amount":1,"nonce":${big},"fee":${big},"gas_price":${big},"meta":["a"],"block_hash":"kh_nTjny4hWV15gwiiEqYPcmabb1GfPG4vKNA2BYNjNqFNUqW1w2"}`);
    if (!r.ok) throw r.error;
    expect(r.message.params).toMatchObject({ nonce: big, fee: big, gas_price: big, meta: ['a'] });
  });

  it.each(['channels.shutdown', 'channels.close_solo', 'channels.snapshot_solo', 'channels.slash', 'channels.settle'])('%s takes nonce, fee and gas_price', (method) => {
    const r = reply(method, `{"nonce":7,"fee":${big},"gas_price":1000000000}`);
    if (!r.ok) throw r.error;
    expect(r.message.params).toEqual({ nonce: 7n, fee: big, gas_price: 1000000000n });
  });

  it('channels.force_progress takes gas and nonce', () => {
    const ct = 'ct_2Gtzj89e5eGzi1fMxRpRYSRA5zRuz844ZuYECfVYTqguQeTpze';
    const r = reply('channels.force_progress', `{"contract_id":"${ct}","abi_version":3,"amount":1,"call_data":"cb_KxEcGP0AG58AoHz0GMyA4E0e8QDOUx4u/S5b8mhKyj43sJb2liSu1pur7I0gHw==","gas_price":1000000000,"gas":${big},"nonce":3}`);
    if (!r.ok) throw r.error;
    expect(r.message.params).toMatchObject({ gas: big, nonce: 3n });
  });

  it('an option that is not an integer is "Not a number"', () => {
    const r = reply('channels.close_solo', '{"fee":"10"}');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe(RpcErrorCode.INVALID_PARAMS);
    expect(r.error.dataCodes).toEqual([DataCode.NOT_A_NUMBER]);
  });
});
