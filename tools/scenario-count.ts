/**
 * A vitest reporter counting the scenarios written once and run on both counterparts
 * (`describeOnBothNodes`: suites named `… · ch-node` and `… · aeternity`), over every test file of
 * the run: `N scenarios × 2 counterparts passed`, or what did not pass on which.
 */
import type { Reporter, TestModule } from 'vitest/node';

const COUNTERPARTS = ['ch-node', 'aeternity'] as const;
const SUFFIX = new RegExp(` · (${COUNTERPARTS.join('|')})(?= > |$)`);

export default class ScenarioCount implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    /** Scenario → counterpart → its outcome there. */
    const scenarios = new Map<string, Map<string, string>>();
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const match = SUFFIX.exec(test.fullName);
        if (!match) continue;
        const name = `${module.relativeModuleId}: ${test.fullName.replace(SUFFIX, '')}`;
        const seen = scenarios.get(name) ?? new Map<string, string>();
        scenarios.set(name, seen.set(match[1]!, test.result().state));
      }
    }
    if (scenarios.size === 0) return;
    const passedOn = (counterpart: string) => [...scenarios.values()].filter((s) => s.get(counterpart) === 'passed').length;
    const both = [...scenarios.values()].filter((s) => COUNTERPARTS.every((c) => s.get(c) === 'passed')).length;
    const lines = [`${both} scenarios × 2 counterparts passed`];
    if (both < scenarios.size) {
      lines[0] += ` (of ${scenarios.size}; ${COUNTERPARTS.map((c) => `${passedOn(c)} on ${c}`).join(', ')})`;
      for (const [name, seen] of scenarios) {
        const not = COUNTERPARTS.filter((c) => seen.get(c) !== 'passed').map((c) => `${c}: ${seen.get(c) ?? 'not run'}`);
        if (not.length > 0) lines.push(`  ${name} · ${not.join(', ')}`);
      }
    }
    process.stdout.write(`\n${lines.join('\n')}\n`);
  }
}
