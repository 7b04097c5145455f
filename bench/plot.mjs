// The scale plot of REPORT.md: small SVG line charts of what the node does against the number of
// channels it holds open, drawn here from results.json so the bench needs no plotting library.

const PANEL = { width: 300, height: 230, left: 58, right: 16, top: 34, bottom: 42 };
const COLORS = ['#1f77b4', '#d62728', '#2ca02c'];

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const fmt = (v) => (Math.abs(v) >= 100 ? Math.round(v).toLocaleString('en-US') : String(+v.toFixed(1)));

/** A "nice" upper bound for an axis: 1, 2 or 5 times a power of ten, at least `max`. */
function niceMax(max) {
  if (!(max > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  return [1, 2, 5, 10].map((m) => m * power).find((m) => m >= max);
}

/**
 * One chart: `series` is [{ name, points: [[x, y]…] }]; x is the number of channels. Returns SVG
 * elements placed at (`x0`, 0).
 */
function panel(x0, title, yLabel, series) {
  const { width, height, left, right, top, bottom } = PANEL;
  const xs = series.flatMap((s) => s.points.map(([x]) => x));
  const xMax = niceMax(Math.max(...xs));
  const yMax = niceMax(Math.max(...series.flatMap((s) => s.points.map(([, y]) => y))));
  const px = (x) => x0 + left + (x / xMax) * (width - left - right);
  const py = (y) => top + (1 - y / yMax) * (height - top - bottom);
  const out = [`<text x="${x0 + width / 2}" y="16" text-anchor="middle" font-weight="bold">${esc(title)}</text>`];
  // Axes, with ticks at the measured channel counts and at quarters of the y range.
  out.push(`<line x1="${px(0)}" y1="${py(0)}" x2="${px(xMax)}" y2="${py(0)}" stroke="#333"/>`, `<line x1="${px(0)}" y1="${py(0)}" x2="${px(0)}" y2="${py(yMax)}" stroke="#333"/>`);
  for (const x of [0, ...new Set(xs)]) out.push(`<text x="${px(x).toFixed(1)}" y="${py(0) + 14}" text-anchor="middle" font-size="10">${fmt(x)}</text>`);
  for (let i = 1; i <= 4; i++) {
    const y = (yMax * i) / 4;
    out.push(`<line x1="${px(0)}" y1="${py(y).toFixed(1)}" x2="${px(xMax)}" y2="${py(y).toFixed(1)}" stroke="#ddd"/>`, `<text x="${px(0) - 4}" y="${(py(y) + 3).toFixed(1)}" text-anchor="end" font-size="10">${fmt(y)}</text>`);
  }
  out.push(`<text x="${px(xMax / 2)}" y="${height - 8}" text-anchor="middle" font-size="11">channels open</text>`);
  out.push(`<text transform="translate(${x0 + 13},${py(yMax / 2)}) rotate(-90)" text-anchor="middle" font-size="11">${esc(yLabel)}</text>`);
  series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length];
    const points = [...s.points].sort((a, b) => a[0] - b[0]);
    out.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${points.map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(' ')}"/>`);
    for (const [x, y] of points) {
      out.push(`<circle cx="${px(x).toFixed(1)}" cy="${py(y).toFixed(1)}" r="3" fill="${color}"/>`, `<text x="${px(x).toFixed(1)}" y="${(py(y) - 6).toFixed(1)}" text-anchor="middle" font-size="10" fill="${color}">${fmt(y)}</text>`);
    }
    if (series.length > 1) out.push(`<text x="${px(xMax) - 4}" y="${py(yMax) + 12 + 12 * i}" text-anchor="end" font-size="10" fill="${color}">${esc(s.name)}</text>`);
  });
  return out.join('\n');
}

/**
 * The SVG for the scale rows of results.json (rows with `scale` and `oursExtra`): time to open all
 * channels, aggregate updates/s, and the node's resident memory per channel, against N.
 */
export function scalePlot(rows) {
  const measured = rows.filter((r) => r.scale && r.oursExtra?.channels);
  if (measured.length === 0) return undefined;
  const point = (f) => measured.map((r) => [r.oursExtra.channels, f(r)]);
  const panels = [
    panel(0, 'Time to open all channels', 'seconds', [{ name: 'open', points: point((r) => r.ours / 1000) }]),
    panel(PANEL.width, 'Transfers, one in every channel at once', 'aggregate updates/s', [{ name: 'updates/s', points: point((r) => r.oursExtra.updatesPerSecond) }]),
    panel(2 * PANEL.width, 'Node resident memory per channel', 'KiB per channel', [
      { name: 'after open', points: point((r) => r.oursExtra.nodeRssPerChannelKiB.open) },
      { name: 'after a transfer in each', points: point((r) => r.oursExtra.nodeRssPerChannelKiB.afterTransfers) },
    ]),
  ];
  const width = 3 * PANEL.width;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${PANEL.height}" viewBox="0 0 ${width} ${PANEL.height}" font-family="sans-serif" font-size="12">
<rect width="100%" height="100%" fill="#fff"/>
${panels.join('\n')}
</svg>
`;
}
