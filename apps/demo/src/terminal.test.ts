/** Colours and the progress spinner: only on a terminal, never in piped output. */
import { describe, expect, test } from 'vitest';
import { COLOURS, PLAIN, paletteFor } from './colour.js';
import { Progress } from './progress.js';

class Stream {
  readonly written: string[] = [];
  constructor(readonly isTTY: boolean) {}
  write(text: string): boolean {
    this.written.push(text);
    return true;
  }
}

describe('on a terminal or not', () => {
  test('colours on a TTY unless NO_COLOR is set to something; plain when piped', () => {
    expect(paletteFor({ isTTY: true }, {})).toBe(COLOURS);
    expect(paletteFor({ isTTY: true }, { NO_COLOR: '' })).toBe(COLOURS);
    expect(paletteFor({ isTTY: true }, { NO_COLOR: '1' })).toBe(PLAIN);
    expect(paletteFor({ isTTY: false }, {})).toBe(PLAIN);
    expect(paletteFor({}, {})).toBe(PLAIN);
  });

  test('the spinner shows the label and the seconds elapsed on a TTY, and clears its line when stopped', async () => {
    const tty = new Stream(true);
    const progress = new Progress(tty);
    progress.start('waiting for minimum depth');
    await new Promise((resolve) => setTimeout(resolve, 550));
    progress.stop();
    const frames = tty.written.slice(0, -1);
    expect(frames.length).toBeGreaterThanOrEqual(2);
    const CLEAR = '\r\x1b[K';
    for (const frame of frames) {
      expect(frame.startsWith(CLEAR)).toBe(true);
      expect(frame.slice(CLEAR.length)).toMatch(/^. waiting for minimum depth \d+\.\d+s$/);
    }
    expect(tty.written.at(-1)).toBe(CLEAR);
  });

  test('a step over within 300 ms shows nothing; piped, the spinner writes nothing at all', async () => {
    const quick = new Stream(true);
    const progress = new Progress(quick);
    progress.start('opening');
    progress.stop();
    const piped = new Stream(false);
    const silent = new Progress(piped);
    silent.start('opening');
    await new Promise((resolve) => setTimeout(resolve, 450));
    silent.stop();
    expect([quick.written, piped.written]).toEqual([[], []]);
  });
});
