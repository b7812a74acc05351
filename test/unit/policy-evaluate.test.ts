import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { evaluatePolicy } from '../../src/core/policy/evaluate.ts';
import type { PolicySubject } from '../../src/core/subject.ts';
import { trustEdges } from '../../src/core/federation/trust.ts';
import { downstreamGroup, downstreamUsername, keystoneDomainFor } from '../../src/core/naming.ts';
import { federationSpecSchema } from '../../src/core/federation/schema.ts';
import { exampleDoc, exampleSpec } from '../support/example-federation.ts';

const subject = (homeCloud: string, username: string, groups: string[] = [], attributes: Record<string, string[]> = {}): PolicySubject =>
  ({ homeCloud, homeUsername: username, groups, attributes });

describe('policy evaluation', () => {
  const spec = exampleSpec();

  it('grants p1 members Keystone member and Kubernetes view in every partner cloud', () => {
    for (const target of ['cloud-b', 'cloud-c']) {
      const got = evaluatePolicy(spec, subject('cloud-a', 'alice', ['/projects/p1/members']), target);
      assert.deepEqual(got.keystone, [{ domain: 'Default', project: 'p1', roles: ['member'] }]);
      assert.deepEqual(got.kubernetes, [{ cluster: target, namespace: 'p1', clusterRole: 'view' }]);
      assert.deepEqual(got.matchedRules, ['p1-members']);
    }
  });

  it('merges roles of several matching rules per project', () => {
    const got = evaluatePolicy(spec, subject('cloud-c', 'dave', ['/projects/p1/members', '/projects/p1/admins']), 'cloud-a');
    assert.deepEqual(got.keystone, [{ domain: 'Default', project: 'p1', roles: ['load-balancer_member', 'member'] }]);
    assert.equal(got.kubernetes.length, 2);
    assert.deepEqual(got.matchedRules, ['p1-members', 'p1-admins']);
  });

  it('grants nothing to users without a matching group, nor in their home cloud', () => {
    assert.deepEqual(evaluatePolicy(spec, subject('cloud-a', 'bob'), 'cloud-b').keystone, []);
    assert.deepEqual(evaluatePolicy(spec, subject('cloud-a', 'alice', ['/projects/p1/members']), 'cloud-a').matchedRules, []);
  });

  it('matches group paths exactly, not by prefix or substring', () => {
    for (const g of ['/projects/p1', '/projects/p1/members/x', 'projects/p1/members', '/projects/p1/members ']) {
      assert.deepEqual(evaluatePolicy(spec, subject('cloud-a', 'eve', [g]), 'cloud-b').matchedRules, [], g);
    }
  });

  it('grants nothing across an edge the spec does not trust', () => {
    const edges = exampleSpec((d) => {
      d.trust = { mode: 'edges', edges: [{ home: 'cloud-a', partner: 'cloud-b' }] };
      for (const rule of d.policy) rule.examples = [];
    });
    assert.equal(evaluatePolicy(edges, subject('cloud-a', 'alice', ['/projects/p1/members']), 'cloud-b').keystone.length, 1);
    assert.equal(evaluatePolicy(edges, subject('cloud-b', 'alice', ['/projects/p1/members']), 'cloud-a').keystone.length, 0);
    assert.deepEqual(trustEdges(edges), [{ home: 'cloud-a', partner: 'cloud-b' }]);
  });

  it('honours homeClouds, groups.all and attribute conditions', () => {
    // Attribute conditions are refused at validation for now (no system can enforce them yet), so this
    // spec is built from the schema alone to test the evaluator itself.
    const doc = exampleDoc();
    doc.policy = [{
      name: 'ops', when: { homeClouds: ['cloud-a'], groups: { all: ['/ops', '/oncall'] }, attributes: { department: ['sre', 'netops'] } },
      grant: [{ clouds: ['cloud-c'], keystone: [{ project: 'ops', roles: ['reader'] }] }],
    }];
    const s = federationSpecSchema.parse(doc);
    const ok = subject('cloud-a', 'o', ['/ops', '/oncall'], { department: ['sre'] });
    assert.equal(evaluatePolicy(s, ok, 'cloud-c').keystone.length, 1);
    assert.equal(evaluatePolicy(s, ok, 'cloud-b').keystone.length, 0, 'grant limited to cloud-c');
    assert.equal(evaluatePolicy(s, { ...ok, homeCloud: 'cloud-b' }, 'cloud-c').keystone.length, 0, 'wrong home');
    assert.equal(evaluatePolicy(s, { ...ok, groups: ['/ops'] }, 'cloud-c').keystone.length, 0, 'groups.all');
    assert.equal(evaluatePolicy(s, { ...ok, attributes: { department: ['hr'] } }, 'cloud-c').keystone.length, 0, 'attribute');
  });

  it('names downstream users, groups and domains collision-free', () => {
    assert.equal(downstreamUsername(spec.naming, 'cloud-a', 'alice'), 'cloud-a.alice');
    assert.notEqual(downstreamUsername(spec.naming, 'cloud-a', 'alice'), downstreamUsername(spec.naming, 'cloud-c', 'alice'));
    assert.equal(downstreamGroup('cloud-a', '/projects/p1/members'), 'cloud-a:/projects/p1/members');
    assert.equal(keystoneDomainFor(spec.naming, 'cloud-b'), 'fed-cloud-b');
  });
});
