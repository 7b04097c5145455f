// Throughput of @ch/rpc's lossless JSON next to plain JSON.parse / JSON.stringify (and next to
// lossless-json, the well-kept library it was chosen over), on every message of the transcripts.
//
// Run by the root harness (`pnpm bench`, or `node bench/run.mjs json` for this file alone): each
// side of each case in a fresh process, against dist/ (built first by turbo).
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isInteger, parse as losslessParse, stringify as losslessStringify } from 'lossless-json';
import { parseJson, parseMessage, stringifyJson } from '../dist/index.js';
import { transcriptNames, transcriptPath } from '../../../tools/fixtures.mjs';

/** Every sent and received message as wire text, with its direction. */
function corpus() {
  // Building it (lossless parsing of every transcript) takes over a second, and every side of every
  // case runs in a fresh process: it is built once per set of transcripts and kept in the temp
  // directory, keyed by the transcripts' paths, sizes and modification times.
  const files = transcriptNames().map(transcriptPath);
  const key = createHash('sha256')
    .update(files.map((file) => `${file}:${statSync(file).size}:${statSync(file).mtimeMs}`).join('\n'))
    .digest('hex')
    .slice(0, 16);
  const cached = join(tmpdir(), `ch-rpc-bench-corpus-${key}.json`);
  if (existsSync(cached)) return JSON.parse(readFileSync(cached, 'utf8'));
  const out = [];
  for (const file of files) {
    for (const step of losslessParse(readFileSync(file, 'utf8')).steps) {
      if (step.dir === 'send' || step.dir === 'recv') out.push({ text: losslessStringify(step.message), direction: step.dir === 'send' ? 'toNode' : 'fromNode' });
    }
  }
  // Written under a unique name, then renamed: a reader never sees half a file.
  const temp = `${cached}.${process.pid}`;
  writeFileSync(temp, JSON.stringify(out));
  renameSync(temp, cached);
  return out;
}

const bigintNumbers = (v) => (isInteger(v) && !Number.isSafeInteger(Number(v)) ? BigInt(v) : Number(v));

/** A pass over all texts with `fn`; the harness counts `batch` = one op per message. */
function overTexts(fn) {
  const texts = corpus().map((m) => m.text);
  return () => {
    for (let i = 0; i < texts.length; i++) fn(texts[i]);
  };
}

function overValues(values, fn) {
  return () => {
    for (let i = 0; i < values.length; i++) fn(values[i]);
  };
}

/** Typed messages as parseMessage returns them (bigint amounts and ids); refused calls as plain lossless JSON. */
function typedValues() {
  return corpus().map(({ text, direction }) => {
    const r = parseMessage(text, direction);
    return r.ok ? r.message : parseJson(text);
  });
}

const MESSAGES = 21_699;
const options = { batch: MESSAGES };

export const cases = {
  'parse: parseJson vs JSON.parse': {
    unit: 'msgs/s',
    peerName: 'JSON.parse',
    target: '≥ 0.5× (within 2× of plain)',
    options,
    ours: () => overTexts(parseJson),
    peer: () => overTexts(JSON.parse),
  },
  'stringify: stringifyJson vs JSON.stringify': {
    unit: 'msgs/s',
    peerName: 'JSON.stringify',
    target: '≥ 0.5× (within 2× of plain)',
    options,
    ours: () => overValues(typedValues(), stringifyJson),
    peer: () => overValues(corpus().map((m) => JSON.parse(m.text)), JSON.stringify),
  },
  'parse: parseJson vs lossless-json': {
    unit: 'msgs/s',
    peerName: 'lossless-json 4.3.3 (bigint numbers)',
    options,
    ours: () => overTexts(parseJson),
    peer: () => overTexts((t) => losslessParse(t, null, bigintNumbers)),
  },
  'stringify: stringifyJson vs lossless-json': {
    unit: 'msgs/s',
    peerName: 'lossless-json 4.3.3',
    options,
    ours: () => overValues(typedValues(), stringifyJson),
    peer: () => overValues(corpus().map((m) => losslessParse(m.text, null, bigintNumbers)), losslessStringify),
  },
  'parseMessage (JSON + validation + checksums) vs JSON.parse': {
    unit: 'msgs/s',
    peerName: 'JSON.parse',
    options,
    ours: () => {
      const msgs = corpus();
      return () => {
        for (let i = 0; i < msgs.length; i++) parseMessage(msgs[i].text, msgs[i].direction);
      };
    },
    peer: () => overTexts(JSON.parse),
  },
};
