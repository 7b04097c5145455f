/**
 * The FSM's modules form no import cycle, type-only imports included: shared helpers (common,
 * calls, recovery, solo-txs, min-depth, …) sit below the state modules, which import them and
 * never each other in a ring. dpdm reads the imports as TypeScript resolves them.
 */
import { fileURLToPath } from 'node:url';
import { parseCircular, parseDependencyTree } from 'dpdm';
import { expect, test } from 'vitest';

const FSM_DIR = fileURLToPath(new URL('.', import.meta.url));
const TSCONFIG = fileURLToPath(new URL('../../../../tsconfig.json', import.meta.url));

test('packages/node/src/fsm has no import cycle', async () => {
  const tree = await parseDependencyTree(['*.ts'], {
    cwd: FSM_DIR,
    context: FSM_DIR,
    tsconfig: TSCONFIG,
    // Only the FSM's own modules are followed: a cycle elsewhere is another folder's matter.
    include: new RegExp(`^${FSM_DIR.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[^/]+\\.ts$`),
    exclude: /\.test\.ts$/,
    transform: false,
  });
  const modules = Object.entries(tree).flatMap(([file, deps]) => (deps === null ? [] : [[file, deps] as const]));
  expect(modules.length).toBeGreaterThan(20);
  // An import left unresolved would hide its cycles.
  const unresolved = modules.flatMap(([, deps]) => deps.filter((d) => d.request.startsWith('.') && d.id === null).map((d) => `${d.issuer} -> ${d.request}`));
  expect(unresolved).toEqual([]);
  expect(parseCircular(tree)).toEqual([]);
});
