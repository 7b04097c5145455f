/**
 * The inbox's waits over a real TCP connection on 127.0.0.1 (one line, one message): each ends
 * when its messages have arrived, at once when the socket closes, or at its deadline, and waiting
 * never keeps the event loop from running timers.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { InboxError, MessageInbox } from './message-inbox.js';

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

/** An inbox fed by a client socket; `peer` is the server's end of the connection. */
async function connected(): Promise<{ inbox: MessageInbox<string>; peer: Socket }> {
  server = createServer();
  const accepted = new Promise<Socket>((resolve) => server!.once('connection', resolve));
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const inbox = new MessageInbox<string>();
  const socket = createConnection(port, '127.0.0.1');
  let pending = '';
  socket.on('data', (chunk) => {
    const lines = (pending + String(chunk)).split('\n');
    pending = lines.pop()!;
    for (const line of lines) inbox.push(line);
  });
  socket.on('close', () => inbox.close());
  return { inbox, peer: await accepted };
}

/** How long `promise` takes to settle, and how. */
async function timed(promise: Promise<unknown>): Promise<{ ms: number; error?: InboxError }> {
  const start = performance.now();
  try {
    await promise;
    return { ms: performance.now() - start };
  } catch (error) {
    return { ms: performance.now() - start, error: error as InboxError };
  }
}

describe('MessageInbox.waitForCount', () => {
  test('resolves as soon as the n-th message arrives, and leaves the cursor where it was', async () => {
    const { inbox, peer } = await connected();
    setTimeout(() => peer.write('one\ntwo\n'), 50);
    const wait = await timed(inbox.waitForCount(2, 10_000));
    expect(wait.error).toBeUndefined();
    expect(wait.ms).toBeGreaterThanOrEqual(40);
    expect(wait.ms).toBeLessThan(5_000);
    expect(inbox.received).toEqual(['one', 'two']);
    expect(await inbox.next()).toBe('one');
    peer.destroy();
  });

  test('rejects promptly with reason "closed" when the socket closes first', async () => {
    const { inbox, peer } = await connected();
    peer.write('only one\n');
    setTimeout(() => peer.destroy(), 50);
    const wait = await timed(inbox.waitForCount(2, 30_000));
    expect(wait.error).toBeInstanceOf(InboxError);
    expect(wait.error).toMatchObject({ reason: 'closed', message: 'the socket closed while waiting for message 2 (got 1)' });
    expect(wait.ms).toBeLessThan(5_000);
    // Once closed, a new wait fails at once rather than sleeping out its deadline.
    const again = await timed(inbox.waitForCount(2, 30_000));
    expect(again.error).toMatchObject({ reason: 'closed' });
    expect(again.ms).toBeLessThan(100);
  });

  test('rejects with reason "timeout" at its deadline, and timers run meanwhile', async () => {
    const { inbox, peer } = await connected();
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 10);
    const wait = await timed(inbox.waitForCount(1, 300));
    clearInterval(ticker);
    expect(wait.error).toMatchObject({ reason: 'timeout', message: 'waited 300 ms for message 1 (got 0) in vain; last received: []' });
    expect(wait.ms).toBeGreaterThanOrEqual(290);
    expect(wait.ms).toBeLessThan(5_000);
    expect(ticks).toBeGreaterThan(5);
    peer.destroy();
  });
});

describe('MessageInbox.waitForClose and next', () => {
  test('waitForClose resolves when the peer hangs up, and next then fails with "closed"', async () => {
    const { inbox, peer } = await connected();
    setTimeout(() => peer.end(), 50);
    expect((await timed(inbox.waitForClose(10_000))).error).toBeUndefined();
    expect(inbox.closed).toBe(true);
    await expect(inbox.next(() => true, 10_000)).rejects.toMatchObject({ reason: 'closed' });
  });

  test('next skips what does not match and times out naming the last messages', async () => {
    const { inbox, peer } = await connected();
    peer.write('a\nb\n');
    expect(await inbox.next((m) => m === 'b', 5_000)).toBe('b');
    await expect(inbox.next((m) => m === 'a', 100)).rejects.toMatchObject({ reason: 'timeout', message: 'waited 100 ms for a matching message in vain; last received: ["a","b"]' });
    peer.destroy();
  });
});
