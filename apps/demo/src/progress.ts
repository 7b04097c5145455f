/**
 * A spinner with elapsed seconds on stderr, for steps that wait for the chain. Only on a
 * terminal: piped or redirected, it writes nothing.
 */
const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export interface ProgressStream {
  readonly isTTY?: boolean;
  write(text: string): boolean;
}

export class Progress {
  #timer: NodeJS.Timeout | undefined;
  #shown = false;

  constructor(private readonly stream: ProgressStream) {}

  start(label: string): void {
    this.stop();
    if (this.stream.isTTY !== true) return;
    const started = Date.now();
    let frame = 0;
    const draw = () => {
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      this.stream.write(`\r\x1b[K${FRAMES[frame++ % FRAMES.length]} ${label} ${seconds}s`);
      this.#shown = true;
    };
    // A step that is over quickly shows no spinner at all.
    this.#timer = setTimeout(() => {
      draw();
      this.#timer = setInterval(draw, 100);
    }, 300);
  }

  /** Removes the spinner's line, so other output starts on a clean line. */
  clear(): void {
    if (!this.#shown) return;
    this.stream.write('\r\x1b[K');
    this.#shown = false;
  }

  stop(): void {
    clearTimeout(this.#timer);
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.clear();
  }
}
