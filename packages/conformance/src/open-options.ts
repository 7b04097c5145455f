/**
 * The client's open options from a recorded `/channel` query, and the check that the query the
 * client builds from them is the recorded one.
 */
import type { ChannelTerms, NodeOptions, NodeTimeouts, Role } from '@ch/client';
import type { Encoded } from '@ch/codec';
import { innerKey } from './signed-tx.js';

export type Terms = ChannelTerms & { readonly role: Role };

/**
 * Recorded parameters the client does not send, each with why that is fine: `slogan` labels the
 * node test suite's log lines and is no channel parameter.
 */
export const TOLERATED_MISSING: Readonly<Record<string, string>> = { slogan: 'a log label of the node test suite' };

const big = (v: string | undefined): bigint | undefined => (v === undefined ? undefined : BigInt(v));
const num = (v: string | undefined): number | undefined => (v === undefined ? undefined : Number(v));

/** The node options (host, port, depth, fees, the node's timers) of a query. */
export function nodeOptions(q: Record<string, string>): NodeOptions {
  const nodeTimeouts: Record<string, number> = {};
  for (const [key, value] of Object.entries(q)) if (key.startsWith('timeout_')) nodeTimeouts[key.slice('timeout_'.length)] = Number(value);
  const options: { -readonly [K in keyof NodeOptions]: NodeOptions[K] } = {
    host: q.host,
    port: num(q.port),
    minimumDepth: num(q.minimum_depth),
    minimumDepthStrategy: q.minimum_depth_strategy as NodeOptions['minimumDepthStrategy'],
    ttl: big(q.ttl),
    fee: big(q.fee),
    gasPrice: big(q.gas_price),
    nonce: big(q.nonce),
    keepRunning: q.keep_running === undefined ? undefined : q.keep_running === 'true',
    nodeTimeouts: Object.keys(nodeTimeouts).length > 0 ? (nodeTimeouts as NodeTimeouts) : undefined,
  };
  for (const key of Object.keys(options) as (keyof NodeOptions)[]) if (options[key] === undefined) delete options[key];
  return options;
}

/** The channel terms of a new channel's query. */
export function termsOf(q: Record<string, string>): Terms {
  return {
    role: q.role as Terms['role'],
    initiatorId: q.initiator_id as Encoded<'ak'>,
    responderId: q.responder_id as Encoded<'ak'>,
    initiatorAmount: BigInt(q.initiator_amount ?? '0'),
    responderAmount: BigInt(q.responder_amount ?? '0'),
    pushAmount: BigInt(q.push_amount ?? '0'),
    channelReserve: BigInt(q.channel_reserve ?? '0'),
    lockPeriod: BigInt(q.lock_period ?? '0'),
  };
}

/** Differences between the recorded query and the client's (a state tx compared by its transaction). */
export function compareQuery(recorded: Record<string, string>, actual: URLSearchParams): string[] {
  const problems: string[] = [];
  for (const [key, value] of Object.entries(recorded)) {
    const got = actual.get(key);
    if (got === null) {
      // `host` is where the initiator's node reaches the responder's; the client sends it for initiators only.
      const unread = key === 'host' && recorded.role === 'responder';
      if (!(key in TOLERATED_MISSING) && !unread) problems.push(`${key} missing (recorded ${value})`);
    } else if (key === 'offchain_tx' ? innerKey(got) !== innerKey(value) : got !== value) {
      problems.push(`${key}=${got}, recorded ${value}`);
    }
  }
  for (const key of new Set(actual.keys())) if (!(key in recorded)) problems.push(`${key}=${actual.get(key)} not recorded`);
  return problems;
}
