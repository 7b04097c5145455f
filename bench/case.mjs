// Runs one side of one bench case in this (fresh) process and prints one JSON line.
// usage: node case.mjs <bench-module> <case-name> <ours|peer>
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { measure } from './harness.mjs';

const [modulePath, caseName, side] = process.argv.slice(2);
const mod = await import(pathToFileURL(resolve(modulePath)).href);
const spec = mod.cases[caseName];
if (!spec || !spec[side]) throw new Error(`no case ${caseName}/${side} in ${modulePath}`);
const prepared = await spec[side]();
// A case may return a plain function (timed with measure) or an object that measures itself
// (end-to-end cases that report their own rate and latency figures).
const result = typeof prepared === 'function' ? { value: await measure(prepared, spec.options) } : await prepared.run();
// Exits once the line is out: a peer may leave timers running (aepp-sdk-js keeps its channel's
// for ~16 s after disconnecting), and the measurement is over.
process.stdout.write(JSON.stringify({ case: caseName, side, ...result }) + '\n', () => process.exit(0));
