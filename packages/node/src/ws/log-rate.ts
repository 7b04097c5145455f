/**
 * Per-connection log lines held to a rate. Each connection is logged once at most, but a crowd of
 * them (thousands of idle sockets timing out together) would still write a line each: beyond
 * `perSecond` lines in a second the rest are counted, and summed up in one line when it is over.
 */
export function rateLimitedLog(log: (line: string) => void, perSecond: number): (line: string) => void {
  let since = -Infinity;
  let written = 0;
  let held = 0;
  let summary: ReturnType<typeof setTimeout> | undefined;
  return (line) => {
    const now = performance.now();
    if (now - since >= 1000) {
      since = now;
      written = 0;
    }
    if (written < perSecond) {
      written++;
      return log(line);
    }
    held++;
    summary ??= setTimeout(() => {
      log(`… ${held} more like it (over ${perSecond} lines a second)`);
      held = 0;
      summary = undefined;
    }, since + 1000 - now).unref();
  };
}
