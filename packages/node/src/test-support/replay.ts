/**
 * Replays the client side of a transcript against the node: each client sends its recorded
 * messages, with the transcript's accounts swapped for the test's and every signed tx re-signed
 * by the test's key, once it has received as many messages as the recorded client had by then.
 */
import { parseJson, stringifyJson } from '@ch/rpc';
import type { KeyPair } from '@ch/codec';
import type { Json, TestClient } from './client.js';
import type { Step } from './transcripts.js';

export interface ReplayActor {
  client: TestClient;
  /** The account the transcript's client used, replaced by `client.key`. */
  recorded: string;
}

function substitute(message: Json, swaps: ReadonlyMap<string, string>): Json {
  let text = stringifyJson(message);
  for (const [from, to] of swaps) text = text.split(from).join(to);
  return parseJson(text) as Json;
}

/** Replays `steps` (up to `until`, exclusive) for both actors concurrently. */
export async function replay(steps: readonly Step[], actors: Record<Step['actor'], ReplayActor>, until = steps.length): Promise<void> {
  const swaps = new Map(Object.values(actors).map((a) => [a.recorded, (a.client.key as KeyPair).publicKey as string]));
  await Promise.all(
    (['initiator', 'responder'] as const).map(async (actor) => {
      const { client } = actors[actor];
      let seen = 0;
      for (const step of steps.slice(0, until)) {
        if (step.actor !== actor || !step.message) continue;
        if (step.dir === 'recv') {
          seen++;
          continue;
        }
        if (step.dir !== 'send') continue;
        await client.waitForCount(seen);
        const message = substitute(step.message, swaps);
        const params = message.params as Json;
        if (typeof params.signed_tx === 'string') {
          const request = [...client.received].reverse().find((m) => String(m.method).startsWith('channels.sign.'));
          params.signed_tx = client.sign(request!);
        }
        client.send(message);
      }
    }),
  );
}
