// The layering rules (src/core is pure; services never import adapters; http and jobs stay in their
// lane; only the composition roots construct adapters) are enforced by lint. These cases prove each
// rule is live: a violation fails `npm run lint`.
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

  it('fails when a service imports the jobs', async () => {
    const ids = await ruleIdsFor('src/services/x.ts', "import { startLogoutPoller } from '../jobs/logout-poller.ts';\nexport const f = startLogoutPoller;\n");
    assert.deepEqual(ids, ['no-restricted-imports']);
  });

  it('fails when an adapter imports the jobs', async () => {
    const ids = await ruleIdsFor('src/adapters/x.ts', "import { startLogoutPoller } from '../jobs/logout-poller.ts';\nexport const f = startLogoutPoller;\n");
    assert.deepEqual(ids, ['no-restricted-imports']);
  });

  const RESTRICTED = '@typescript-eslint/no-restricted-imports';
  const constructsAdapter = (from: string) =>
    `import { RedisLogoutStore } from '${from}adapters/redis/logout-store.ts';\nexport const make = (r: never) => new RedisLogoutStore(r);\n`;

  it('fails when src/http constructs an adapter, or reaches into the CLI or the jobs', async () => {
    assert.deepEqual(await ruleIdsFor('src/http/x.ts', constructsAdapter('../')), [RESTRICTED]);
    assert.deepEqual(await ruleIdsFor('src/http/x.ts', "import { main } from '../cli/main.ts';\nexport const f = main;\n"), [RESTRICTED]);
    assert.deepEqual(await ruleIdsFor('src/http/x.ts', "import { startLogoutPoller } from '../jobs/logout-poller.ts';\nexport const f = startLogoutPoller;\n"), [RESTRICTED]);
  });

  it('fails when src/jobs constructs an adapter, or reaches into the CLI or the HTTP API', async () => {
    assert.deepEqual(await ruleIdsFor('src/jobs/x.ts', constructsAdapter('../')), [RESTRICTED]);
    assert.deepEqual(await ruleIdsFor('src/jobs/x.ts', "import { createKeycloakSessions } from '../adapters/keycloak/sessions-factory.ts';\nexport const f = createKeycloakSessions;\n"), [RESTRICTED]);
    assert.deepEqual(await ruleIdsFor('src/jobs/x.ts', "import { serveCommand } from '../cli/serve.ts';\nexport const f = serveCommand;\n"), [RESTRICTED]);
    assert.deepEqual(await ruleIdsFor('src/jobs/x.ts', "import { createApp } from '../http/app.ts';\nexport const f = createApp;\n"), [RESTRICTED]);
  });

  it('lets src/jobs and src/http use services, ports and adapter types', async () => {
    const lane = "import type { DeliveryQueue } from '../ports.ts';\nimport type { RedisClient } from '../adapters/redis/logout-store.ts';\nimport { pollLogoutEvents } from '../services/logout/poll.ts';\n"
      + 'export const f = (q: DeliveryQueue, r: RedisClient) => [q, r, pollLogoutEvents];\n';
    assert.deepEqual(await ruleIdsFor('src/jobs/x.ts', lane), []);
    assert.deepEqual(await ruleIdsFor('src/http/x.ts', lane), []);
  });

  it('fails when any other room (ports, a new folder) constructs an adapter', async () => {
    assert.deepEqual(await ruleIdsFor('src/ports.ts', constructsAdapter('./')), [RESTRICTED]);
    assert.deepEqual(await ruleIdsFor('src/registry/x.ts', constructsAdapter('../')), [RESTRICTED]);
  });

  it('allows core-to-core imports and lets the CLI construct adapters', async () => {
    assert.deepEqual(await ruleIdsFor('src/core/x.ts', "import { trustEdges } from './federation/trust.ts';\nexport const f = trustEdges;\n"), []);
    assert.deepEqual(await ruleIdsFor('src/cli/x.ts', "import { readSpecFile } from '../adapters/federation-file.ts';\nexport const f = readSpecFile;\n"), []);
    assert.deepEqual(await ruleIdsFor('src/cli/x.ts', constructsAdapter('../')), []);
  });
});
