import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseSpecText } from '../../src/core/federation/parse.ts';
import { validateSpec } from '../../src/core/federation/validate.ts';
import { formatPath, type SpecProblem } from '../../src/core/federation/problems.ts';
import { EXAMPLE_SPEC_PATH, exampleDoc, type MutableDoc } from '../support/example-federation.ts';

const FIVE_MISTAKES = new URL('../fixtures/federations/five-mistakes.yaml', import.meta.url).pathname;

function problemsOf(mutate: (doc: MutableDoc) => void): SpecProblem[] {
  const doc = exampleDoc();
  mutate(doc);
  const result = validateSpec(doc);
  assert.equal(result.ok, false, 'the variant should be invalid');
  return [...result.problems];
}

const at = (problems: SpecProblem[]) => problems.map((p) => `${p.code} ${formatPath(p.path)}`);

describe('federation spec validation', () => {
  it('accepts the demo spec and freezes the result', () => {
    const result = parseSpecText(readFileSync(EXAMPLE_SPEC_PATH, 'utf8'));
    assert.ok(result.ok, JSON.stringify(result.problems));
    assert.equal(result.spec.clouds.length, 3);
    assert.deepEqual(result.spec.clouds.map((c) => c.homeProtocol), ['oidc', 'oidc', 'saml']);
    assert.ok(Object.isFrozen(result.spec.policy[0]!.grant[0]!.keystone));
    assert.throws(() => { (result.spec.clouds as unknown as unknown[]).push({}); }, TypeError);
  });

  it('reports every mistake of a broken spec, each with path, line and code', () => {
    const result = parseSpecText(readFileSync(FIVE_MISTAKES, 'utf8'));
    assert.equal(result.ok, false);
    const got = result.problems.map((p) => `${p.line} ${p.code} ${formatPath(p.path)}`);
    assert.deepEqual(got, [
      '13 ERR_SPEC_SCHEMA clouds[0].keycloak.url',
      '16 ERR_SPEC_SCHEMA clouds[1].alias',
      '18 ERR_SPEC_SCHEMA clouds[1].emailDomain',
      '29 ERR_SPEC_UNKNOWN_REF trust.edges[0].to',
      '35 ERR_SPEC_PRIVILEGED_GRANT policy[0].grant[0].keystone[0].roles[1]',
      '37 ERR_SPEC_PRIVILEGED_GRANT policy[0].grant[0].kubernetes[0].clusterRole',
    ]);
    assert.ok(result.problems.every((p) => p.hint && p.hint.length > 0), 'every problem carries a fix');
  });

  it('reports YAML syntax errors with their line', () => {
    const result = parseSpecText('apiVersion: x\nclouds:\n  - alias: a\n   displayName: [unclosed\n');
    assert.equal(result.ok, false);
    assert.equal(result.problems[0]?.code, 'ERR_SPEC_YAML');
    assert.ok((result.problems[0]?.line ?? 0) >= 3);
  });

  it('rejects duplicate YAML keys instead of silently keeping one', () => {
    const result = parseSpecText('kind: Federation\nkind: Federation\n');
    assert.equal(result.ok, false);
    assert.equal(result.problems[0]?.code, 'ERR_SPEC_YAML');
  });

  it('never lets policy grant Keystone admin, in any spelling', () => {
    for (const role of ['admin', 'ADMIN', 'Admin']) {
      const problems = problemsOf((d) => { d.policy[0].grant[0].keystone[0].roles.push(role); });
      assert.deepEqual(at(problems), ['ERR_SPEC_PRIVILEGED_GRANT policy[0].grant[0].keystone[0].roles[1]']);
    }
  });

  it('keeps admin privileged even when the spec lists other privileged roles only', () => {
    const problems = problemsOf((d) => {
      d.privileged.keystoneRoles = ['reader-admin'];
      d.policy[1].grant[0].keystone[0].roles = ['admin', 'reader-admin'];
    });
    assert.deepEqual(at(problems), [
      'ERR_SPEC_PRIVILEGED_GRANT policy[1].grant[0].keystone[0].roles[0]',
      'ERR_SPEC_PRIVILEGED_GRANT policy[1].grant[0].keystone[0].roles[1]',
    ]);
  });

  it('never lets policy bind system:* or privileged ClusterRoles', () => {
    for (const grant of [{ clusterRole: 'cluster-admin' }, { clusterRole: 'system:aggregate-to-admin' }, { namespace: 'p1', role: 'system:controller' }]) {
      const problems = problemsOf((d) => { d.policy[0].grant[0].kubernetes = [grant]; });
      assert.equal(problems.length, 1, JSON.stringify(problems));
      assert.equal(problems[0]?.code, 'ERR_SPEC_PRIVILEGED_GRANT');
    }
  });

  it('rejects Kubernetes grants that are ambiguous or need a namespace', () => {
    assert.deepEqual(at(problemsOf((d) => { d.policy[0].grant[0].kubernetes = [{ namespace: 'p1', role: 'x', clusterRole: 'view' }]; })),
      ['ERR_SPEC_GRANT policy[0].grant[0].kubernetes[0]']);
    assert.deepEqual(at(problemsOf((d) => { d.policy[0].grant[0].kubernetes = [{ role: 'deployer' }]; })),
      ['ERR_SPEC_GRANT policy[0].grant[0].kubernetes[0].namespace']);
    assert.deepEqual(at(problemsOf((d) => { d.policy[0].grant[0].kubernetes = [{ cluster: 'nope', namespace: 'p1', clusterRole: 'view' }]; })),
      ['ERR_SPEC_UNKNOWN_REF policy[0].grant[0].kubernetes[0].cluster']);
  });

  it('finds duplicates: cloud aliases, realms, email domains, rule names', () => {
    const problems = problemsOf((d) => {
      d.clouds[1].alias = 'cloud-a';
      d.clouds[2].keycloak.realm = 'cloud-a';
      d.clouds[2].emailDomains = ['a.example'];
      d.policy[1].name = 'p1-members';
    });
    assert.deepEqual(at(problems).sort(), [
      'ERR_SPEC_DUPLICATE clouds[1].alias',
      'ERR_SPEC_DUPLICATE clouds[2].emailDomains[0]',
      'ERR_SPEC_DUPLICATE clouds[2].keycloak.realm',
      'ERR_SPEC_DUPLICATE policy[1].name',
    ]);
  });

  it('checks trust edges: unknown clouds, self trust, duplicates', () => {
    const problems = problemsOf((d) => {
      d.trust = { mode: 'edges', edges: [{ home: 'cloud-a', partner: 'cloud-b' }, { home: 'cloud-a', partner: 'cloud-a' }, { home: 'cloud-x', partner: 'cloud-b' }, { home: 'cloud-a', partner: 'cloud-b' }] };
    });
    assert.deepEqual(at(problems), [
      'ERR_SPEC_TRUST trust.edges[1]',
      'ERR_SPEC_UNKNOWN_REF trust.edges[2].home',
      'ERR_SPEC_DUPLICATE trust.edges[3]',
    ]);
  });

  it('requires collision-free naming templates', () => {
    const problems = problemsOf((d) => { d.naming = { username: '{username}', keystoneDomain: 'federated' }; });
    assert.deepEqual(at(problems), ['ERR_SPEC_NAMING naming.username', 'ERR_SPEC_NAMING naming.keystoneDomain']);
  });

  it('runs policy examples and fails validation when one does not hold', () => {
    const problems = problemsOf((d) => { d.policy[0].grant[0].keystone[0].roles = ['member', 'reader']; });
    assert.deepEqual(at(problems), ['ERR_SPEC_EXAMPLE_FAILED policy[0].examples[0].expect']);
    assert.match(problems[0]!.message, /Keystone grant/);
  });

  it('reports unknown fields, missing fields and wrong types with the field name', () => {
    const problems = problemsOf((d) => {
      d.clouds[0].keycloak.realmName = 'x';
      delete d.clouds[1].displayName;
      d.clouds[2].emailDomains = 'c.example';
    });
    assert.deepEqual(at(problems), [
      'ERR_SPEC_SCHEMA clouds[0].keycloak.realmName',
      'ERR_SPEC_SCHEMA clouds[1].displayName',
      'ERR_SPEC_SCHEMA clouds[2].emailDomains',
    ]);
    assert.match(problems[1]!.message, /required/);
  });

  it('refuses attribute conditions until partner tokens can carry them', () => {
    const problems = problemsOf((d) => { d.policy[0].when.attributes = { department: 'sre' }; });
    assert.deepEqual(at(problems), ['ERR_SPEC_GRANT policy[0].when.attributes']);
  });

  it('sync.intervalSeconds defaults to 300 and must be a whole number of seconds from 60 to 86400', () => {
    const result = validateSpec(exampleDoc());
    assert.ok(result.ok);
    assert.equal(result.spec.sync.intervalSeconds, 300);
    for (const bad of [59, 86_401, 120.5, '300']) {
      const problems = problemsOf((d) => { d.sync = { intervalSeconds: bad }; });
      assert.deepEqual(at(problems), ['ERR_SPEC_SCHEMA sync.intervalSeconds'], String(bad));
    }
    const ok = validateSpec({ ...exampleDoc(), sync: { intervalSeconds: 60 } });
    assert.ok(ok.ok && ok.spec.sync.intervalSeconds === 60 && ok.spec.sync.brake.maxRemovalPercent === 10);
  });

  it('accepts secrets only as references, never inline', () => {
    const problems = problemsOf((d) => { d.clouds[0].keycloak.admin = { realm: 'master', username: 'admin', password: 'hunter2' }; });
    assert.deepEqual(at(problems), ['ERR_SPEC_SCHEMA clouds[0].keycloak.admin']);
  });

  it('refuses server URLs that are IP literals of metadata, link-local or unspecified addresses', () => {
    for (const host of ['169.254.169.254', '0.0.0.0', '[::ffff:a9fe:a9fe]', '[64:ff9b::a9fe:a9fe]', '100.100.100.200']) {
      const problems = problemsOf((d) => { d.clouds[1].keycloak.url = `https://${host}:8443`; });
      assert.deepEqual(at(problems), ['ERR_SPEC_SCHEMA clouds[1].keycloak.url'], host);
    }
  });
});
