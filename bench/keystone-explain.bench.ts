// Evaluations per second of the broker's Keystone mapping engine (src/core/explain) against
// Keystone's own (keystone.federation.utils.RuleProcessor in Debian's /usr/bin/python3), on the same
// generated rules and assertions, each measured in its own process loop (no IPC in the timing).
// Run: node --import tsx bench/keystone-explain.bench.ts [seconds per measurement, default 2]
import { performance } from 'node:perf_hooks';
import { brokeredClaims, claimsToAssertion, evaluateMapping, type Assertion } from '../src/core/explain/keystone.ts';
import type { JsonValue } from '../src/core/json.ts';
import { renderMapping } from '../src/core/render/keystone/mapping.ts';
import { ZED_CAPABILITIES } from '../src/core/render/keystone/model.ts';
import type { CloudSpec, FederationSpec } from '../src/core/federation/schema.ts';
import { benchOracle } from '../test/support/keystone-oracle.ts';
import { exampleSpec } from '../test/support/example-federation.ts';

const seconds = Number(process.argv[2] ?? 2);

interface Scenario { name: string; rules: readonly JsonValue[]; assertions: Assertion[] }

function scenario(name: string, spec: FederationSpec, target: string): Scenario {
  const partner = spec.clouds.find((c) => c.alias === target) as CloudSpec;
  const rules = renderMapping(spec, partner, ZED_CAPABILITIES).rules;
  const homes = spec.clouds.map((c) => c.alias).filter((a) => a !== target);
  const groupSets = [['/projects/p1/members'], ['/projects/p1/admins'], [], ['/projects/p1/members', '/projects/p1/admins', '/g/3']];
  const assertions = homes.flatMap((home) => groupSets.flatMap((groups, i) => {
    const claims = brokeredClaims(spec, { homeCloud: home, homeUsername: `user${i}`, groups, attributes: {} }, target);
    return [claimsToAssertion(claims), claimsToAssertion({ ...claims, aud: 'kubernetes' })];
  }));
  return { name, rules, assertions };
}

function measureOurs(s: Scenario): number {
  const run = (until: number) => {
    let count = 0;
    while (performance.now() < until) {
      for (const a of s.assertions) evaluateMapping(s.rules, a);
      count += s.assertions.length;
    }
    return count;
  };
  run(performance.now() + 300);
  const start = performance.now();
  const count = run(start + seconds * 1000);
  return count / ((performance.now() - start) / 1000);
}

/** The demo federation with many more policy rules and home clouds: a bigger mapping. */
function largeSpec(): FederationSpec {
  return exampleSpec((doc) => {
    const template = doc.clouds[0];
    for (const extra of ['cloud-d', 'cloud-e', 'cloud-f']) doc.clouds.push({ ...structuredClone(template), alias: extra, displayName: extra, emailDomains: [], keycloak: { ...template.keycloak, realm: extra } });
    for (const rule of doc.policy) rule.examples = [];
    for (let i = 0; i < 10; i += 1) {
      doc.policy.push({ name: `rule-${i}`, when: { groups: { any: [`/g/${i}`, '/projects/p1/members'], ...(i % 3 === 0 && { all: ['/projects/p1/admins'] }) } },
        grant: [{ keystone: [{ project: `project-${i}`, roles: ['member'] }] }] });
    }
  });
}

const scenarios = [scenario('demo spec, cloud-b', exampleSpec(), 'cloud-b'), scenario('6 clouds, 12 policy rules, cloud-b', largeSpec(), 'cloud-b')];
console.log(`Keystone mapping evaluation, ${seconds} s per measurement (node ${process.version}, /usr/bin/python3 RuleProcessor of python3-keystone)`);
for (const s of scenarios) {
  const ours = measureOurs(s);
  const keystone = (await benchOracle(s.rules, s.assertions, seconds)).perSecond;
  console.log(`${s.name}: ${s.rules.length} rules, ${s.assertions.length} assertions`);
  console.log(`  broker (TypeScript)  ${Math.round(ours).toLocaleString('en')} evaluations/s`);
  console.log(`  Keystone (Python)    ${Math.round(keystone).toLocaleString('en')} evaluations/s`);
  console.log(`  ratio                ${(ours / keystone).toFixed(1)}x`);
}
