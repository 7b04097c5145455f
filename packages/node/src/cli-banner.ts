/**
 * What `ch-node` prints once it listens: the funded accounts with their secret keys, the URL,
 * the network id and the profile, as text for people or as one JSON line for scripts.
 */
import { toHex } from '@ch/codec';
import type { StartOptions } from './cli-options.js';

export interface Banner {
  readonly version: string;
  /** The URL the node listens on (the actual port when `--port 0`). */
  readonly url: string;
  readonly options: StartOptions;
}

/** Amounts as decimal strings: JSON numbers lose aettos past 2^53. */
export function bannerJson({ version, url, options }: Banner): string {
  return JSON.stringify({
    version,
    url,
    networkId: options.networkId,
    profile: options.profile,
    seed: options.seed,
    accounts: options.devAccounts.map((k, index) => ({ index, publicKey: k.publicKey, secretKey: toHex(k.secretKey), balance: String(options.balance) })),
    funded: options.funded.map((a) => ({ publicKey: a.publicKey, balance: String(a.balance) })),
  });
}

export function bannerText({ version, url, options }: Banner): string {
  const { devAccounts, funded, balance, seed, networkId, profile } = options;
  const lines = [`ch-node ${version}`, ''];
  if (devAccounts.length > 0) {
    lines.push(`Accounts (seed "${seed}", ${balance} aettos = ${ae(balance)} AE each)`, '');
    devAccounts.forEach((k, i) => lines.push(`(${i}) ${k.publicKey}`, `    secret key ${toHex(k.secretKey)}`));
    // Anyone can derive these keys from the seed: say so where they are copied from.
    lines.push('', 'These keys are public (derived from the seed): never use them on a real network.', '');
  }
  if (funded.length > 0) lines.push('Also funded', ...funded.map((a) => `    ${a.publicKey} ${a.balance} aettos`), '');
  const first = devAccounts[0];
  const secret = first === undefined ? '<secret key, hex>' : toHex(first.secretKey);
  lines.push(
    `WebSocket URL  ${url}`,
    `Network id     ${networkId}`,
    `Profile        ${profile}`,
    '',
    `Paste into your client (@ch/client)${first === undefined ? '' : ', as account (0)'}:`,
    `    const me = keyPairFromSecret(Buffer.from('${secret}', 'hex'));`,
    `    Channel.connect({ url: '${url}', networkId: '${networkId}', signer: secretKeySigner(me.secretKey), … });`,
    '',
    'Listening. Ctrl-C stops the node.',
  );
  return `${lines.join('\n')}\n`;
}

/** Aettos as AE (10^18 aettos), exact, without trailing zeros. */
function ae(aettos: bigint): string {
  const fraction = String(aettos % 10n ** 18n).padStart(18, '0').replace(/0+$/, '');
  return `${aettos / 10n ** 18n}${fraction === '' ? '' : `.${fraction}`}`;
}
