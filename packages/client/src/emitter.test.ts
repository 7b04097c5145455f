import { describe, expect, test } from 'vitest';
import { Emitter } from './emitter.js';

type Events = { [event: string]: readonly unknown[]; tick: [n: number]; error: [e: Error] };

describe('Emitter', () => {
  test('an event without listeners, `error` included, is dropped', () => {
    const events = new Emitter<Events>();
    expect(() => events.emit('error', new Error('nobody listens'))).not.toThrow();
  });

  test('a throwing listener goes to the handler; the others still run', () => {
    const caught: unknown[] = [];
    const events = new Emitter<Events>((e, event) => caught.push([event, (e as Error).message]));
    const got: number[] = [];
    events.on('tick', () => {
      throw new Error('boom');
    });
    events.on('tick', (n) => got.push(n));
    events.emit('tick', 1);
    expect(got).toEqual([1]);
    expect(caught).toEqual([['tick', 'boom']]);
  });

  test('a throwing error handler is contained too', () => {
    const events = new Emitter<Events>(() => {
      throw new Error('handler fails');
    });
    events.on('tick', () => {
      throw new Error('boom');
    });
    expect(() => events.emit('tick', 1)).not.toThrow();
  });

  test('on returns an unsubscribe; once fires once', () => {
    const events = new Emitter<Events>();
    const got: number[] = [];
    const off = events.on('tick', (n) => got.push(n));
    events.once('tick', (n) => got.push(n * 10));
    events.emit('tick', 1);
    off();
    events.emit('tick', 2);
    expect(got).toEqual([1, 10]);
    expect(events.listenerCount('tick')).toBe(0);
  });
});
