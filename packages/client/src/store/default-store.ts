/**
 * The store a channel uses when none is given. Co-signed states are money: a default that keeps
 * them only in memory would lose them with the process or the page. So it is durable on every
 * platform, chosen when the package is built (`#platform`): a `LogStore` in `.ch-channels/` of the
 * working directory in Node (an append-only log per channel and role), an `IndexedDbStore` in browsers; `Channel.reestablish` without a
 * store finds the records there again after a restart or a reload.
 */
export { defaultStore } from '#platform';
