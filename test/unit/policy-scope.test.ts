// Where a rule applies (src/core/policy/scope.ts) and whose users may log into a partner
// (homesOf in src/core/federation/trust.ts): one function each, asked by evaluation and the renderers.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { homesOf } from '../../src/core/federation/trust.ts';
import { evaluatePolicy } from '../../src/core/policy/evaluate.ts';
import { grantAppliesIn, grantsIn, homesOfRule, ruleAppliesToHome } from '../../src/core/policy/scope.ts';
import { groupsReferenced } from '../../src/core/render/keycloak/index.ts';
import { keystoneGrantsOf } from '../../src/core/render/keystone/policy-groups.ts';
import { sortedHomesOf } from '../../src/core/render/kubernetes/rbac.ts';
import { exampleSpec } from '../support/example-federation.ts';

const grant = (clouds?: string[]) => ({ ...(clouds && { clouds }), keystone: [], kubernetes: [] });
const rule = (homeClouds?: string[]) => ({ when: { ...(homeClouds && { homeClouds }) } });

describe('policy scope', () => {
  it('a grant applies in the clouds it lists, or in every cloud when it lists none', () => {
    assert.equal(grantAppliesIn(grant(), 'cloud-b'), true);
    assert.equal(grantAppliesIn(grant(['cloud-b']), 'cloud-b'), true);
    assert.equal(grantAppliesIn(grant(['cloud-c']), 'cloud-b'), false);
    const r = { grant: [grant(['cloud-c']), grant(), grant(['cloud-b', 'cloud-c'])] };
    assert.deepEqual(grantsIn(r, 'cloud-b'), [r.grant[1], r.grant[2]]);
    assert.deepEqual(grantsIn(r, 'cloud-c'), r.grant);
  });

  it('a rule applies to the homes it lists, or to every home when it lists none', () => {
    assert.equal(ruleAppliesToHome(rule(), 'cloud-a'), true);
    assert.equal(ruleAppliesToHome(rule(['cloud-a']), 'cloud-a'), true);
    assert.equal(ruleAppliesToHome(rule(['cloud-c']), 'cloud-a'), false);
    assert.deepEqual(homesOfRule(rule(['cloud-c', 'cloud-a']), ['cloud-a', 'cloud-b', 'cloud-c']), ['cloud-a', 'cloud-c'], 'order of the homes given');
    assert.deepEqual(homesOfRule(rule(), ['cloud-c', 'cloud-a']), ['cloud-c', 'cloud-a']);
  });

  it('homes of a partner come in spec order; Kubernetes sorts them by name', () => {
    const spec = exampleSpec((doc) => {
      doc.clouds.reverse();
      for (const r of doc.policy) r.examples = [];
      doc.trust = { mode: 'edges', edges: [{ home: 'cloud-a', partner: 'cloud-b' }, { home: 'cloud-c', partner: 'cloud-b' }, { home: 'cloud-b', partner: 'cloud-a' }] };
    });
    assert.deepEqual(spec.clouds.map((c) => c.alias), ['cloud-c', 'cloud-b', 'cloud-a']);
    assert.deepEqual(homesOf(spec, 'cloud-b'), ['cloud-c', 'cloud-a']);
    assert.deepEqual(sortedHomesOf(spec, 'cloud-b'), ['cloud-a', 'cloud-c']);
    assert.deepEqual(homesOf(spec, 'cloud-a'), ['cloud-b']);
    assert.deepEqual(homesOf(spec, 'cloud-c'), []);
  });

  it('evaluation and the renderers use the same grant filter', () => {
    const spec = exampleSpec((doc) => {
      for (const r of doc.policy) r.examples = [];
      doc.policy[0].grant[0].clouds = ['cloud-c'];
    });
    const alice = { homeCloud: 'cloud-a', homeUsername: 'alice', groups: ['/projects/p1/members'], attributes: {} };
    const first = spec.policy[0]!;
    for (const target of ['cloud-b', 'cloud-c']) {
      const applies = grantsIn(first, target).length > 0;
      assert.equal(evaluatePolicy(spec, alice, target).matchedRules.includes(first.name), applies, `evaluation in ${target}`);
      assert.equal(keystoneGrantsOf(first, target).length > 0, applies, `Keystone renderer in ${target}`);
      assert.equal(groupsReferenced([first], 'cloud-a', target).length > 0, applies, `Keycloak renderer in ${target}`);
    }
  });
});
