// The layering rule (src/core is pure; services never import adapters) is enforced by lint.
// These cases prove the rule is live: a violation fails `npm run lint`.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ESLint } from 'eslint';

const root = new URL('../..', import.meta.url).pathname;
const eslint = new ESLint({ cwd: root });

async function ruleIdsFor(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${root}${filePath}` });
  return (result?.messages ?? []).map((m) => m.ruleId ?? `fatal: ${m.message}`);
}

describe('lint: layering rule', () => {
  it('fails when src/core imports an adapter', async () => {
    const ids = await ruleIdsFor('src/core/render/x.ts', "import { readSpecFile } from '../../adapters/federation-file.ts';\nexport const f = readSpecFile;\n");
    assert.deepEqual(ids, ['no-restricted-imports']);
  });

  it('fails when src/core does I/O, reads the clock or uses randomness', async () => {
    assert.deepEqual(await ruleIdsFor('src/core/x.ts', "import { readFileSync } from 'node:fs';\nexport const f = readFileSync;\n"), ['no-restricted-imports']);
    assert.deepEqual(await ruleIdsFor('src/core/x.ts', 'export const now = () => Date.now();\n'), ['no-restricted-syntax']);
    assert.deepEqual(await ruleIdsFor('src/core/x.ts', 'export const r = () => Math.random();\n'), ['no-restricted-syntax']);
    assert.deepEqual(await ruleIdsFor('src/core/x.ts', "export const g = () => fetch('https://x');\n"), ['no-restricted-globals']);
  });

  it('fails when a service imports an adapter', async () => {
    const ids = await ruleIdsFor('src/services/onboarding.ts', "import { readSpecFile } from '../adapters/federation-file.ts';\nexport const f = readSpecFile;\n");
    assert.deepEqual(ids, ['no-restricted-imports']);
  });

  it('allows core-to-core imports and lets the CLI construct adapters', async () => {
    assert.deepEqual(await ruleIdsFor('src/core/x.ts', "import { trustEdges } from './federation/trust.ts';\nexport const f = trustEdges;\n"), []);
    assert.deepEqual(await ruleIdsFor('src/cli/x.ts', "import { readSpecFile } from '../adapters/federation-file.ts';\nexport const f = readSpecFile;\n"), []);
  });
});
