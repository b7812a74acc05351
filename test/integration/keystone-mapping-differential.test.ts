// Differential test: the broker's mapping engine (src/core/explain/keystone-mapping-engine.ts) must
// give exactly what Keystone's own engine gives, on the rules the broker generates (demo spec and
// ≥200 generated specs with brokered and tampered claims) and on hand-written engine edge cases.
// Oracle: keystone.federation.utils.RuleProcessor in Debian's /usr/bin/python3 (one process for
// all cases), cross-checked on a few cases with the official `keystone-manage mapping_engine`.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { claimsToAssertion, brokeredClaims, evaluateMapping, type MappingEvaluation } from '../../src/core/explain/keystone.ts';
import type { JsonValue } from '../../src/core/json.ts';
import { renderMapping } from '../../src/core/render/keystone/mapping.ts';
import { sortKeysDeep } from '../../src/core/render/keystone/names.ts';
import type { CloudSpec } from '../../src/core/federation/schema.ts';
import { generatedCases } from '../support/keystone-generators.ts';
import { ENGINE_EDGE_CASES } from '../support/keystone-engine-cases.ts';
import { runKeystoneManageMappingEngine, runOracle, type OracleAnswer, type OracleCase } from '../support/keystone-oracle.ts';
import { exampleSpec } from '../support/example-federation.ts';

const SEED = 20_261_124;
const SPECS = 240;

/** Both engines' answers in one comparable form. */
function normalizeOurs(result: MappingEvaluation): JsonValue {
  if (result.outcome === 'mapped') {
    return { outcome: 'mapped', user: sortKeysDeep(result.user), groups: result.groups.map((g) => sortKeysDeep(g)),
      groupIds: [...result.groupIds].sort(), projects: sortKeysDeep(result.projects), matchedRules: [...result.matchedRules] };
  }
  if (result.outcome === 'no-rule-matched') return { outcome: 'no-rule-matched', matchedRules: [...result.matchedRules] };
  return { outcome: 'error', error: result.error, matchedRules: [...result.matchedRules] };
}

function normalizeKeystone(answer: OracleAnswer): JsonValue {
  if (answer.ok) {
    const seen = new Set<string>();
    const groups = answer.mapped.group_names.map((g) => sortKeysDeep(g)).filter((g) => {
      const key = JSON.stringify(g);
      return !seen.has(key) && (seen.add(key), true);
    });
    return { outcome: 'mapped', user: sortKeysDeep(answer.mapped.user), groups, groupIds: [...new Set(answer.mapped.group_ids)].sort(),
      projects: sortKeysDeep(answer.mapped.projects), matchedRules: answer.matchedRules };
  }
  if (answer.error === 'ValidationError' && answer.message.startsWith('Could not map any federated user properties')) {
    return { outcome: 'no-rule-matched', matchedRules: answer.matchedRules };
  }
  return { outcome: 'error', error: answer.error === 'DirectMappingError' ? 'direct-mapping' : 'invalid-rule', matchedRules: answer.matchedRules };
}

async function compareAll(cases: readonly (OracleCase & { label: string })[]): Promise<void> {
  const answers = await runOracle(cases);
  const mismatches: string[] = [];
  cases.forEach((c, i) => {
    const ours = normalizeOurs(evaluateMapping(c.rules, c.assertion));
    const theirs = normalizeKeystone(answers[i] as OracleAnswer);
    try { assert.deepEqual(ours, theirs); } catch {
      mismatches.push(`${c.label}\n  assertion ${JSON.stringify(c.assertion)}\n  ours      ${JSON.stringify(ours)}\n  keystone  ${JSON.stringify(theirs)}`);
    }
  });
  assert.deepEqual(mismatches.slice(0, 5), [], `${mismatches.length} of ${cases.length} cases differ`);
}

describe('Keystone mapping engine: the broker agrees with Keystone (Zed RuleProcessor)', () => {
  const demo = exampleSpec();
  const demoCases: (OracleCase & { label: string })[] = [];

  before(() => {
    for (const partner of demo.clouds) {
      for (const honoursRuleDomain of [false, true]) {
        const { rules } = renderMapping(demo, partner as CloudSpec, { honoursRuleDomain, evidence: 'test' });
        for (const home of demo.clouds.map((c) => c.alias).filter((h) => h !== partner.alias)) {
          for (const [username, groups] of [['alice', ['/projects/p1/members']], ['carol', ['/projects/p1/admins']], ['bob', []], ['dave', ['/projects/p1/members', '/projects/p1/admins']]] as const) {
            const claims = brokeredClaims(demo, { homeCloud: home, homeUsername: username, groups: [...groups], attributes: {} }, partner.alias);
            demoCases.push({ label: `demo ${home}.${username} in ${partner.alias}`, rules, assertion: claimsToAssertion(claims) });
            demoCases.push({ label: `demo ${home}.${username} in ${partner.alias}, wrong aud`, rules, assertion: claimsToAssertion({ ...claims, aud: 'kubernetes' }) });
          }
        }
      }
    }
  });

  it('on the demo spec (every partner, home, user, both capabilities)', async () => {
    assert.ok(demoCases.length >= 90);
    await compareAll(demoCases);
  });

  it(`on ${SPECS} generated specs with brokered and tampered claims (seed ${SEED})`, async () => {
    const cases = generatedCases(SPECS, SEED);
    const specs = new Set(cases.map((c) => c.spec));
    assert.ok(specs.size >= 200, `${specs.size} specs with a Keystone partner`);
    const outcomes = new Map<string, number>();
    const oracleCases = cases.map((c, i) => {
      const rules = renderMapping(c.spec, c.spec.clouds.find((p) => p.alias === c.target) as CloudSpec, c.capabilities).rules;
      const assertion = claimsToAssertion(c.claims);
      const outcome = evaluateMapping(rules, assertion).outcome;
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      return { label: `case ${i} (${c.variant}, ${c.subject.homeCloud}.${c.subject.homeUsername} in ${c.target})`, rules, assertion };
    });
    assert.ok((outcomes.get('mapped') ?? 0) > 200 && (outcomes.get('no-rule-matched') ?? 0) > 200, `both outcomes well covered: ${JSON.stringify([...outcomes])}`);
    await compareAll(oracleCases);
  });

  it('on hand-written engine edge cases (placeholders, list repr, filters, regex, users, groups)', async () => {
    await compareAll(ENGINE_EDGE_CASES);
  });

  it('the fast oracle agrees with the official `keystone-manage mapping_engine` CLI', async () => {
    const picks = [demoCases[0], demoCases[1], demoCases[6], ENGINE_EDGE_CASES.find((c) => c.label.includes('list repr'))]
      .filter((c): c is OracleCase & { label: string } => c !== undefined);
    const answers = await runOracle(picks);
    for (const [i, c] of picks.entries()) {
      const cli = await runKeystoneManageMappingEngine(c.rules, c.assertion);
      const answer = answers[i] as OracleAnswer;
      assert.equal(cli.ok, answer.ok, `${c.label}: CLI ${cli.output.slice(-300)}`);
      if (answer.ok) assert.deepEqual(JSON.parse(cli.output), JSON.parse(JSON.stringify(answer.mapped)), c.label);
      else assert.match(cli.output, /Could not map any federated user properties/, c.label);
    }
  });
});
