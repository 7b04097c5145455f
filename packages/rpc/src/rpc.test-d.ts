import { describe, expectTypeOf, it } from 'vitest';
import type { Encoded } from '@ch/codec';
import {
  nodeNotification,
  notification,
  parseMessage,
  readResult,
  request,
  resultReply,
  type ChannelInfo,
  type ClientMessage,
  type DataOf,
  type NodeMessage,
  type OffChainUpdate,
  type ParamsOf,
  type ResultOf,
  type SignReply,
  type SignReplyMethod,
  type ClientMethod,
  type SIGN_REPLY_METHODS,
  signRequestMethod,
} from './index.js';

declare const alice: Encoded<'ak'>;
declare const contract: Encoded<'ct'>;
declare const tx: Encoded<'tx'>;

describe('requests are checked against their method', () => {
  it('accepts the right params', () => {
    expectTypeOf(request('channels.get.balances', { accounts: [alice] }, 1n).params).toEqualTypeOf<{ readonly accounts: readonly Encoded<'ak'>[] }>();
    notification('channels.update.new', { from: alice, to: alice, amount: 10n, meta: ['note'] });
    request('channels.update', { signed_tx: tx }, 'string ids work too');
    request('channels.update', { error: 147 }, 2n);
    notification('channels.system', { action: 'ping' });
  });

  it('refuses wrong params', () => {
    // @ts-expect-error accounts must be ak_ strings
    request('channels.get.balances', { accounts: [contract] }, 1n);
    // @ts-expect-error amounts are bigint, not number
    notification('channels.update.new', { from: alice, to: alice, amount: 10 });
    // @ts-expect-error `to` is required
    notification('channels.update.new', { from: alice, amount: 10n });
    // @ts-expect-error no such method
    request('channels.get.everything', {}, 1n);
    // @ts-expect-error a sign reply is a signed tx or an abort code
    request('channels.update', { signed_tx: 'not a tx' }, 3n);
    // @ts-expect-error ids are bigint or string
    request('channels.leave', {}, 3);
  });
});

describe('replies are typed by the method they answer', () => {
  it('types results', () => {
    expectTypeOf<ResultOf<'channels.get.balances'>>().toEqualTypeOf<readonly { readonly account: Encoded<'ak'>; readonly balance: bigint }[]>();
    expectTypeOf<ResultOf<'channels.update'>>().toEqualTypeOf<'ok'>();
    const r = readResult('channels.get.offchain_state', { result: null });
    if (r.ok) {
      expectTypeOf(r.result.signed_tx).toEqualTypeOf<Encoded<'tx'>>();
      expectTypeOf(r.result.half_signed_tx).toEqualTypeOf<'' | Encoded<'tx'>>();
    }
    const req = request('channels.get.balances', { accounts: [alice] }, 1n);
    resultReply(req, null, [{ account: alice, balance: 1n }]);
    // @ts-expect-error the result must be what get.balances returns
    resultReply(req, null, 'ok');
  });
});

describe('parsed messages narrow by method', () => {
  it('narrows client messages', () => {
    const r = parseMessage('', 'toNode');
    if (!r.ok) return;
    expectTypeOf(r.message).toEqualTypeOf<ClientMessage>();
    if (r.message.method === 'channels.update.new') expectTypeOf(r.message.params.amount).toEqualTypeOf<bigint>();
    if (r.message.method === 'channels.update_ack') expectTypeOf(r.message.params).toEqualTypeOf<SignReply>();
  });

  it('narrows node messages, events and updates', () => {
    const r = parseMessage('', 'fromNode');
    if (!r.ok) return;
    expectTypeOf(r.message).toEqualTypeOf<NodeMessage>();
    const m = r.message;
    if ('method' in m && m.method === 'channels.info') {
      expectTypeOf(m.params.data).toEqualTypeOf<ChannelInfo>();
      if (m.params.data.event === 'fsm_up') expectTypeOf(m.params.data.fsm_id).toEqualTypeOf<Encoded<'ba'>>();
    }
    if ('method' in m && m.method === 'channels.sign.update') {
      const u: OffChainUpdate | undefined = m.params.data.updates[0];
      if (u?.op === 'OffChainTransfer') expectTypeOf(u.amount).toEqualTypeOf<bigint>();
      if (u?.op === 'OffChainMeta') expectTypeOf(u.data).toEqualTypeOf<string>();
    }
    if ('error' in m) expectTypeOf(m.id).toEqualTypeOf<bigint | string | null>();
  });

  it('builds node notifications with typed data', () => {
    nodeNotification('channels.conflict', null, { channel_id: 'ch_x', error_code: 2, error_msg: 'conflict', round: 5n });
    // @ts-expect-error error_msg is one of the node's messages
    nodeNotification('channels.conflict', null, { channel_id: 'ch_x', error_code: 2, error_msg: 'oops', round: 5n });
    expectTypeOf<DataOf<'channels.on_chain_tx'>['type']>().toEqualTypeOf<
      | 'channel_create_tx'
      | 'channel_deposit_tx'
      | 'channel_withdraw_tx'
      | 'channel_close_mutual_tx'
      | 'channel_close_solo_tx'
      | 'channel_slash_tx'
      | 'channel_settle_tx'
      | 'channel_snapshot_solo_tx'
      | 'channel_force_progress_tx'
      | 'channel_offchain_tx'
    >();
    expectTypeOf<ParamsOf<'channels.get.poi'>>().toEqualTypeOf<{ readonly accounts?: readonly Encoded<'ak'>[]; readonly contracts?: readonly Encoded<'ct'>[] }>();
  });
});

describe('the catalogue types the methods it derives', () => {
  it('gives on-chain calls their options, as bigint', () => {
    expectTypeOf<ParamsOf<'channels.close_solo'>>().toEqualTypeOf<{ readonly nonce?: bigint; readonly fee?: bigint; readonly gas_price?: bigint }>();
    request('channels.deposit', { amount: 1n, nonce: 2n, fee: 3n, gas_price: 4n, meta: ['m'], block_hash: 'kh_x' }, 1n);
    notification('channels.force_progress', { contract_id: contract, abi_version: 3, amount: 1n, call_data: 'cb_x', gas_price: 1n, gas: 2n, nonce: 3n });
    // @ts-expect-error shutdown takes no meta
    notification('channels.shutdown', { meta: ['m'] });
    // @ts-expect-error options are bigint
    notification('channels.settle', { fee: 1 });
  });

  it('takes every reply name the node takes, each a sign reply', () => {
    expectTypeOf<ParamsOf<'channels.close_solo_tx'>>().toEqualTypeOf<SignReply>();
    expectTypeOf<ParamsOf<'channels.slash_tx'>>().toEqualTypeOf<SignReply>();
    expectTypeOf<(typeof SIGN_REPLY_METHODS)['channels.sign.close_solo_sign']>().toEqualTypeOf<'channels.close_solo_sign'>();
    expectTypeOf<SignReplyMethod>().toExtend<ClientMethod>();
  });

  it('builds sign requests with the data the client parses', () => {
    nodeNotification(signRequestMethod('slash_tx'), null, { signed_tx: tx, updates: [] });
    // @ts-expect-error a sign request carries its updates
    nodeNotification(signRequestMethod('slash_tx'), null, { signed_tx: tx });
  });
});
