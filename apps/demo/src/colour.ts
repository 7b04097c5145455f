/**
 * ANSI colours for a terminal: on when the stream is a TTY and NO_COLOR (https://no-color.org) is
 * unset or empty, off otherwise, so piped output and written files stay plain text.
 */
export interface Palette {
  readonly initiator: (s: string) => string;
  readonly responder: (s: string) => string;
  readonly dim: (s: string) => string;
  readonly bold: (s: string) => string;
  readonly key: (s: string) => string;
  readonly string: (s: string) => string;
  readonly number: (s: string) => string;
  readonly good: (s: string) => string;
  readonly bad: (s: string) => string;
}

const sgr = (open: number, close: number) => (s: string) => `\x1b[${open}m${s}\x1b[${close}m`;

export const COLOURS: Palette = {
  initiator: sgr(36, 39),
  responder: sgr(35, 39),
  dim: sgr(2, 22),
  bold: sgr(1, 22),
  key: sgr(34, 39),
  string: sgr(32, 39),
  number: sgr(33, 39),
  good: sgr(32, 39),
  bad: sgr(31, 39),
};

const same = (s: string) => s;
export const PLAIN: Palette = { initiator: same, responder: same, dim: same, bold: same, key: same, string: same, number: same, good: same, bad: same };

export function paletteFor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): Palette {
  return stream.isTTY === true && !env.NO_COLOR ? COLOURS : PLAIN;
}
