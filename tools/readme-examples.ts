/**
 * Runs every `ts` block of a package README as a module importing the package's sources, so the
 * examples users copy stay true. Used by each package's readme.test.ts.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

export function testReadmeExamples(packageName: string, packageDir: URL, minBlocks: number): void {
  const readme = readFileSync(new URL('README.md', packageDir), 'utf8');
  const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1] as string);
  const source = JSON.stringify(fileURLToPath(new URL('src/index.ts', packageDir)));
  const dir = mkdtempSync(join(tmpdir(), 'ch-readme-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  describe(`${packageName} README examples`, () => {
    it(`has at least ${minBlocks} examples`, () => expect(blocks.length).toBeGreaterThanOrEqual(minBlocks));

    it.each(blocks.map((code, i) => [i + 1, code] as const))('block %d runs', async (i, code) => {
      const file = join(dir, `${packageName.replace(/\W/g, '_')}-example-${i}.ts`);
      writeFileSync(file, code.replaceAll(`from '${packageName}'`, `from ${source}`));
      await import(file);
    });
  });
}
