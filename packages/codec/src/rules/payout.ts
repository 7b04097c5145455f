/** What a closing channel pays out: the last co-signed balances, less the fee for a mutual close. */

/**
 * aesc_fsm `pay_close_mutual_fee/3`: each side pays half the fee (the initiator the odd unit),
 * unless one side cannot, in which case the other covers what is left. Undefined when the two
 * balances together cannot pay it.
 */
export function closeMutualPayout(fee: bigint, initiator: bigint, responder: bigint): [bigint, bigint] | undefined {
  const ceil = (fee + 1n) / 2n;
  const floor = fee / 2n;
  if (initiator + responder < fee) return undefined;
  if (initiator >= ceil && responder >= floor) return [initiator - ceil, responder - floor];
  if (responder >= ceil && initiator >= floor) return [initiator - floor, responder - ceil];
  return initiator > responder ? [initiator - fee + responder, 0n] : [0n, responder - fee + initiator];
}
