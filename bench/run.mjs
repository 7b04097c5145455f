// `pnpm bench`: runs every bench module's cases, each side of each case in a fresh process,
// REPEAT times, and writes bench/results.json and bench/REPORT.md with medians and ratios.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import os from 'node:os';
import { median } from './harness.mjs';
import { scalePlot } from './plot.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const REPEAT = Number(process.env.BENCH_REPEAT ?? 3);
// Fixed V8 flags for every process: on 2 shared cores, parallel GC threads compete with the
// measured code, so every side gets the same single-threaded GC.
const NODE_FLAGS = ['--single-threaded-gc'];
const only = process.argv[2] === '--report' ? undefined : process.argv[2];

function benchModules(filter = only) {
  const found = [];
  for (const base of ['packages', 'apps']) {
    const dir = join(root, base);
    if (!existsSync(dir)) continue;
    for (const pkg of readdirSync(dir)) {
      const bdir = join(dir, pkg, 'bench');
      if (!existsSync(bdir)) continue;
      for (const f of readdirSync(bdir)) if (f.endsWith('.bench.mjs')) found.push(join(bdir, f));
    }
  }
  for (const f of readdirSync(here)) if (f.endsWith('.bench.mjs')) found.push(join(here, f));
  return found.filter((f) => !filter || f.includes(filter));
}

function runSide(file, name, side) {
  const out = execFileSync(process.execPath, [...NODE_FLAGS, join(here, 'case.mjs'), file, name, side], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return JSON.parse(out.trim().split('\n').pop());
}

// `node run.mjs --report` rewrites REPORT.md from results.json without measuring again.
if (process.argv[2] === '--report') {
  const { machine, results } = JSON.parse(readFileSync(join(here, 'results.json'), 'utf8'));
  writeReport(machine, results);
} else {
  const started = performance.now();
  // The machine may be shared: its load, before and after, says how far to trust absolute figures.
  const loadBefore = os.loadavg()[0];
  const results = withEarlierRows(await measureAll());
  const wallSeconds = Math.round((performance.now() - started) / 1000);
  const machine = { ...(only && { only }), cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, node: process.version, platform: `${os.platform()} ${os.arch()}`, repeat: REPEAT, nodeFlags: NODE_FLAGS, date: new Date().toISOString(), wallSeconds, loadAverage: { before: loadBefore, after: os.loadavg()[0] } };
  writeFileSync(join(here, 'results.json'), JSON.stringify({ machine, results }, null, 2) + '\n');
  writeReport(machine, results);
}

/** A filtered run (`pnpm bench NAME`) replaces the rows of the modules it measured only, keeping the others' from results.json, in module order. */
function withEarlierRows(results) {
  const file = join(here, 'results.json');
  if (!only || !existsSync(file)) return results;
  const measured = new Set(benchModules().map((f) => relative(root, f)));
  const order = benchModules('').map((f) => relative(root, f));
  const earlier = JSON.parse(readFileSync(file, 'utf8')).results.filter((r) => !measured.has(r.module));
  return [...earlier, ...results].sort((a, b) => order.indexOf(a.module) - order.indexOf(b.module));
}

async function measureAll() {
  const results = [];
  const oursRuns = new Map();
  for (const file of benchModules()) {
    const mod = await import(pathToFileURL(file).href);
    for (const [name, spec] of Object.entries(mod.cases)) {
      // A case may run fewer times than REPEAT (the scale cases run once: see their module).
      const repeat = spec.repeat ?? REPEAT;
      const row = { module: relative(root, file), case: name, unit: spec.unit ?? 'ops/s', peerName: spec.peerName ?? null, target: spec.target ?? null, repeat, ...(spec.scale && { scale: spec.scale }) };
      // Sides alternate, so a load change on the shared machine hits both alike; the ratio is the
      // median of the per-pair ratios.
      const sides = ['ours', 'peer'].filter((side) => spec[side] || (side === 'ours' && spec.oursFrom));
      const runs = { ours: [], peer: [] };
      // A case with `oursFrom` compares its peer to the runs of our side of that (earlier) case,
      // in the same order, rather than measuring the same code of ours again.
      const reused = spec.oursFrom && oursRuns.get(`${file}\0${spec.oursFrom}`);
      if (spec.oursFrom && !reused) throw new Error(`${name}: no earlier case ${spec.oursFrom} to take our runs from`);
      for (let i = 0; i < repeat; i++) {
        for (const side of sides) runs[side].push(side === 'ours' && reused ? reused[i % reused.length] : runSide(file, name, side));
      }
      oursRuns.set(`${file}\0${name}`, runs.ours);
      if (reused) row.oursFrom = spec.oursFrom;
      for (const side of sides) {
        row[side] = median(runs[side].map((r) => r.value));
        row[`${side}Runs`] = runs[side].map((r) => r.value);
        const extra = runs[side][runs[side].length >> 1].extra;
        if (extra) row[`${side}Extra`] = extra;
      }
      if (sides.length === 2) row.ratio = median(runs.ours.map((r, i) => r.value / runs.peer[i].value));
      results.push(row);
      const fmt = (v) => (v === undefined ? '-' : Math.round(v).toLocaleString('en-US'));
      console.log(`${row.module} ${name}: ours ${fmt(row.ours)} ${row.unit}, ${row.peerName ?? 'peer'} ${fmt(row.peer)}${row.ratio ? `, ratio ${row.ratio.toFixed(2)}x` : ''}`);
    }
  }
  return results;
}

function num(v, digits = 0) {
  return v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

function byCase(results, name) {
  return results.find((r) => r.case === name);
}

function writeReport(machine, results) {
  const wall = machine.wallSeconds === undefined ? '' : ` The measurements took ${Math.floor(machine.wallSeconds / 60)} min ${machine.wallSeconds % 60} s of wall time (after turbo's build).`;
  const load = machine.loadAverage ? ` One-minute load average ${machine.loadAverage.before.toFixed(2)} before, ${machine.loadAverage.after.toFixed(2)} after (other work on the machine lowers absolute figures; ratios pair runs made side by side).` : '';
  const lines = [
    '# Benchmark report',
    '',
    `Machine: ${machine.cpus} CPUs (${machine.cpuModel}), Node ${machine.node}, ${machine.platform}. Each side of each case ran ${machine.repeat} times unless the *runs* column says otherwise, each time in a fresh process with \`${machine.nodeFlags.join(' ')}\`; figures are medians, ratios the median of the paired (alternating) runs' ratios. Generated by \`pnpm bench${machine.only ? ` ${machine.only}` : ''}\` on ${machine.date}${machine.only ? ` (the modules matching "${machine.only}"; the other rows are from earlier runs)` : ''}.${wall}${load}`,
    '',
    '| module | case | ours | peer | peer value | ratio | target | runs | details (ours; peer) |',
    '| --- | --- | ---: | --- | ---: | ---: | --- | ---: | --- |',
  ];
  const details = (extra) => (extra ? Object.entries(extra).map(([k, v]) => `${k} ${typeof v === 'number' ? +v.toFixed(2) : JSON.stringify(v)}`).join(', ') : '');
  for (const r of results) {
    const fmt = (v) => (v === undefined ? '-' : `${Math.round(v).toLocaleString('en-US')} ${r.unit}`);
    const extra = [details(r.oursExtra), details(r.peerExtra)].filter(Boolean).join('; ');
    lines.push(`| ${r.module} | ${r.case} | ${fmt(r.ours)} | ${r.peerName ?? '-'} | ${fmt(r.peer)} | ${r.ratio ? r.ratio.toFixed(2) + '×' : '-'} | ${r.target ?? '-'} | ${r.repeat ?? machine.repeat}${r.oursFrom ? ' (ours: the runs of the case above)' : ''} | ${extra || '-'} |`);
  }
  lines.push('', ...targetsSection(results), ...ceilingSection(results), ...scaleSection(results));
  const profile = join(here, 'profile.md');
  if (existsSync(profile)) lines.push('', readFileSync(profile, 'utf8').trim());
  writeFileSync(join(here, 'REPORT.md'), lines.join('\n') + '\n');
  console.log(`wrote bench/REPORT.md (${results.length} cases)`);
}

/** Each target of a row, met or not: `ratio >= x`, `>= Nk/s` (ours), `≥ x×` (a ratio). */
function targetChecks(r) {
  if (!r.target) return [];
  return r.target.split(',').flatMap((part) => {
    const ratio = /ratio\s*(?:>=|≥)\s*([\d.]+)/.exec(part) ?? /(?:>=|≥)\s*([\d.]+)×/.exec(part);
    if (ratio && r.ratio !== undefined) return [{ what: `ratio ≥ ${ratio[1]}×`, met: r.ratio >= Number(ratio[1]), got: `${r.ratio.toFixed(2)}×` }];
    const rate = /(?:>=|≥)\s*([\d.]+)(k?)\/s/.exec(part);
    if (rate && r.ours !== undefined) {
      const wanted = Number(rate[1]) * (rate[2] ? 1000 : 1);
      return [{ what: `≥ ${num(wanted)} ${r.unit}`, met: r.ours >= wanted, got: `${num(r.ours)} ${r.unit}` }];
    }
    return [];
  });
}

function targetsSection(results) {
  const lines = ['## Targets', ''];
  for (const r of results) {
    for (const t of targetChecks(r)) lines.push(`- ${t.met ? '**met**' : '**missed**'}: ${r.case} — ${t.what}, measured ${t.got}`);
  }
  const ceiling = results.find((r) => r.case.startsWith('ed25519 ceiling'));
  const sequential = byCase(results, 'e2e sequential transfers, as shipped');
  if (ceiling && sequential) {
    const fraction = sequential.ours / ceiling.ours;
    lines.push(`- ${fraction >= 0.5 ? '**met**' : '**missed**'}: e2e sequential transfers ≥ 50% of the ed25519 ceiling — measured ${num(100 * fraction, 1)}% (${num(sequential.ours)} of ${num(ceiling.ours)} updates/s)`);
  }
  const largest = results.filter((r) => r.scale).sort((a, b) => b.scale.channels - a.scale.channels)[0];
  if (largest?.scale.channels >= 10_000) {
    const opened = largest.oursExtra?.channels ?? 0;
    lines.push(`- ${opened >= 10_000 ? '**met**' : '**missed**'}: 10,000 channels open on one node process — ${num(opened)} opened${largest.oursExtra?.cappedBy ? ` (capped by the ${largest.oursExtra.cappedBy})` : ''}`);
  }
  return [...lines, ''];
}

function ceilingSection(results) {
  const ceiling = results.find((r) => r.case.startsWith('ed25519 ceiling'));
  if (!ceiling?.oursExtra) return [];
  const e = ceiling.oursExtra;
  const lines = [
    '## The ed25519 ceiling',
    '',
    `One off-chain transfer in our stack (both clients and the node) makes ${num(e.signsPerUpdate, 2)} signatures and ${num(e.verifiesPerUpdate, 2)} verifications, counted over a run of transfers by wrapping node:crypto's \`sign\` and \`verify\` (who does which is listed in bench/e2e.bench.mjs, \`ceiling\`). Timed in the same process with node:crypto on an update's own message, a sign costs ${num(e.signUs, 1)} µs and a verify ${num(e.verifyUs, 1)} µs: one core can do the ed25519 work of **${num(ceiling.ours)} updates/s**, the ceiling of a stack that runs in one process, as the e2e cases do.`,
    '',
    '| measured in this run | transfers/s | fraction of the ceiling |',
    '| --- | ---: | ---: |',
  ];
  for (const r of results.filter((x) => x.case.startsWith('e2e') && x.ours !== undefined && !x.case.endsWith('native signer for the peer'))) {
    const label = r.case.replace(/^e2e /, '').replace(/, as shipped$/, '').replace(', ours with the default durable store', ', with the default durable store');
    lines.push(`| ours, ${label} | ${num(r.ours)} | ${num((100 * r.ours) / ceiling.ours, 1)}% |`);
  }
  lines.push(`| ours, in the ceiling case's own process | ${num(e.oursTransfersPerSecond)} | ${num(100 * e.fractionOfCeiling, 1)}% |`);
  return [...lines, ''];
}

function scaleSection(results) {
  const rows = results.filter((r) => r.scale && r.oursExtra).sort((a, b) => a.scale.channels - b.scale.channels);
  if (rows.length === 0) return [];
  const svg = scalePlot(rows);
  if (svg) writeFileSync(join(here, 'scale.svg'), svg);
  const lines = [
    '## Scale: channels open at once on one node process',
    '',
    'N channels are opened at once by 2N raw WebSocket clients in a second process, then one transfer is made in every channel, all at once. One run per N. RSS is the node process\'s alone, after a full GC, less its RSS before the first connection.',
    '',
    '| asked | open | time to open all | open, per channel | aggregate updates/s | node RSS per channel (open / after transfers) | node RSS after transfers |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of rows) {
    const e = r.oursExtra;
    lines.push(`| ${num(r.scale.channels)} | ${num(e.channels)} | ${num(r.ours / 1000, 1)} s | ${num(r.ours / e.channels, 2)} ms | ${num(e.updatesPerSecond)} | ${e.nodeRssPerChannelKiB.open} / ${e.nodeRssPerChannelKiB.afterTransfers} KiB | ${e.nodeRssMiB.afterTransfers} MiB |`);
  }
  lines.push('', 'Growth with N, from each N to the next (1.00× = constant per channel; the channel count grows by the first ratio):', '');
  lines.push('| from → to | channels | time to open all | open, per channel | aggregate updates/s | RSS per channel after transfers |', '| --- | ---: | ---: | ---: | ---: | ---: |');
  for (let i = 1; i < rows.length; i++) {
    const [a, b] = [rows[i - 1], rows[i]];
    const [ea, eb] = [a.oursExtra, b.oursExtra];
    const x = (p, q) => `${(q / p).toFixed(2)}×`;
    lines.push(`| ${num(ea.channels)} → ${num(eb.channels)} | ${x(ea.channels, eb.channels)} | ${x(a.ours, b.ours)} | ${x(a.ours / ea.channels, b.ours / eb.channels)} | ${x(ea.updatesPerSecond, eb.updatesPerSecond)} | ${x(ea.nodeRssPerChannelKiB.afterTransfers, eb.nodeRssPerChannelKiB.afterTransfers)} |`);
  }
  const capped = rows.filter((r) => r.oursExtra.cappedBy);
  for (const r of capped) lines.push('', `${num(r.scale.channels)} asked, ${num(r.oursExtra.channels)} opened: capped by the ${r.oursExtra.cappedBy}.`);
  if (svg) lines.push('', '![Throughput and memory against the number of channels](scale.svg)', '', '[scale.svg](scale.svg): time to open all, aggregate updates/s, and node RSS per channel, against N.');
  return [...lines, ''];
}
