// Rendering of Kubernetes RBAC and the AuthenticationConfiguration from the spec (pure).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { isBrokerError } from '../../src/core/errors.ts';
import { federatedUsernamePattern, renderAuthenticationConfig } from '../../src/core/render/kubernetes/authn-config.ts';
import { clusterKey, kubernetesPolicyProblems, renderKubernetes, type KubernetesObject } from '../../src/core/render/kubernetes/index.ts';
import { bindingName, isManagedObject, kubernetesLabels, labelValue } from '../../src/core/render/kubernetes/names.ts';
import type { FederationSpec } from '../../src/core/federation/schema.ts';
import { exampleSpec, type MutableDoc, unvalidatedSpec } from '../support/example-federation.ts';

const of = (objects: KubernetesObject[], cloud: string) => objects.filter((o) => o.cloud === cloud);
const subjects = (o: KubernetesObject | undefined) => ((o?.fields['subjects'] ?? []) as { name: string }[]).map((s) => s.name);
const LABEL = /^(?:[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?)?$/;
const noExamples = (doc: MutableDoc) => { for (const rule of doc.policy) rule.examples = []; };
const unvalidated = (mutate: (doc: MutableDoc) => void): FederationSpec => {
  const spec = structuredClone(exampleSpec()) as MutableDoc;
  mutate(spec);
  return spec as FederationSpec;
};

describe('renderKubernetes: RBAC', () => {
  const objects = renderKubernetes(exampleSpec());

  it('renders per partner cluster the namespace and one RoleBinding per rule, for every home that trusts it', () => {
    const b = of(objects, 'cloud-b');
    assert.deepEqual(b.map((o) => `${o.kind} ${o.name.replace(/-[0-9a-f]{10}$/, '')}`), [
      'Namespace p1', 'RoleBinding p1/fedbroker-p1-members-view', 'RoleBinding p1/fedbroker-p1-admins-edit',
    ]);
    assert.deepEqual(subjects(b[1]), ['oidc:cloud-a:/projects/p1/members', 'oidc:cloud-c:/projects/p1/members']);
    assert.deepEqual(subjects(b[2]), ['oidc:cloud-a:/projects/p1/admins', 'oidc:cloud-c:/projects/p1/admins']);
    assert.deepEqual(b[1]?.fields['roleRef'], { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' });
    assert.deepEqual(subjects(of(objects, 'cloud-a')[1]), ['oidc:cloud-b:/projects/p1/members', 'oidc:cloud-c:/projects/p1/members']);
  });

  it('labels bindings as the federation\'s, names them deterministically and short; namespaces are shared, never owned', () => {
    for (const o of objects) {
      assert.ok(o.name.split('/').pop()!.length <= 63, o.name);
      if (o.kind === 'Namespace') { assert.equal(o.shared, true); assert.deepEqual(o.fields, {}); continue; }
      const meta = o.fields['metadata'] as { labels: Record<string, string>; annotations: Record<string, string> };
      assert.ok(isManagedObject(meta, 'scs-demo'));
      assert.equal(meta.annotations['fedbroker.scs.community/policy-rule'] !== undefined, true);
    }
    assert.deepEqual(renderKubernetes(exampleSpec()), objects, 'deterministic');
    assert.notEqual(bindingName('f', 'r', 'p1', 'ClusterRole', 'view'), bindingName('g', 'r', 'p1', 'ClusterRole', 'view'));
  });

  it('follows trust edges, homeClouds, grant clouds and clusters', () => {
    const edges = renderKubernetes(exampleSpec((doc) => { noExamples(doc); doc.trust = { mode: 'edges', edges: [{ home: 'cloud-a', partner: 'cloud-b' }] }; }));
    assert.deepEqual(of(edges, 'cloud-a'), []);
    assert.deepEqual(subjects(of(edges, 'cloud-b')[1]), ['oidc:cloud-a:/projects/p1/members']);
    const homes = renderKubernetes(exampleSpec((doc) => { noExamples(doc); doc.policy[0].when.homeClouds = ['cloud-c']; }));
    assert.deepEqual(subjects(of(homes, 'cloud-b').find((o) => o.name.includes('p1-members'))), ['oidc:cloud-c:/projects/p1/members']);
    const clouds = renderKubernetes(exampleSpec((doc) => { doc.policy[1].grant[0].clouds = ['cloud-a']; doc.policy[1].examples = []; }));
    assert.equal(of(clouds, 'cloud-b').some((o) => o.name.includes('p1-admins')), false);
    assert.equal(of(clouds, 'cloud-a').some((o) => o.name.includes('p1-admins')), true);
    const other = renderKubernetes(exampleSpec((doc) => { doc.policy[1].grant[0].kubernetes[0].cluster = 'cloud-c'; doc.policy[1].examples = []; doc.policy[1].grant[0].clouds = ['cloud-c']; }));
    assert.deepEqual(of(other, 'cloud-c').filter((o) => o.name.includes('p1-admins')).length, 1);
  });

  it('renders a cluster-wide grant as a ClusterRoleBinding, a rule without groups for all users of the home, a Role grant with kind Role', () => {
    const spec = exampleSpec((doc) => {
      doc.policy = [
        { name: 'everyone-from-c', when: { homeClouds: ['cloud-c'] }, grant: [{ clouds: ['cloud-b'], kubernetes: [{ clusterRole: 'node-reader' }, { namespace: 'tools', role: 'reader' }] }] },
      ];
    });
    const b = of(renderKubernetes(spec), 'cloud-b');
    const crb = b.find((o) => o.kind === 'ClusterRoleBinding');
    assert.ok(crb && !crb.name.includes('/'));
    assert.deepEqual(subjects(crb), ['oidc:cloud-c']);
    const rb = b.find((o) => o.kind === 'RoleBinding');
    assert.deepEqual(rb?.fields['roleRef'], { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'reader' });
    assert.ok(rb?.name.startsWith('tools/'));
    assert.ok(b.some((o) => o.kind === 'Namespace' && o.name === 'tools'));
  });

  it('refuses at render time what RBAC cannot enforce, and reports it as a spec problem', () => {
    const spec = unvalidatedSpec((doc) => { doc.policy[0].when.groups = { all: ['/projects/p1/members', '/projects/p1/admins'] }; doc.policy[0].examples = []; });
    assert.throws(() => renderKubernetes(spec), (e) => isBrokerError(e, 'ERR_KUBERNETES_POLICY_UNSUPPORTED') && e.details['rule'] === 'p1-members');
    assert.deepEqual(kubernetesPolicyProblems(spec).map((p) => [p.code, p.path.join('.')]), [['ERR_SPEC_GRANT', 'policy.0.when.groups']]);
    const attrs = unvalidatedSpec((doc) => { doc.policy[0].when.attributes = { dept: 'x' }; doc.policy[0].examples = []; });
    assert.deepEqual(kubernetesPolicyProblems(attrs).map((p) => p.path.join('.')), ['policy.0.when.attributes']);
    const one = exampleSpec((doc) => { doc.policy[0].when.groups = { all: ['/projects/p1/members'] }; });
    assert.deepEqual(kubernetesPolicyProblems(one), []);
    assert.deepEqual(renderKubernetes(one), renderKubernetes(exampleSpec()), 'a one-element "all" is an "any"');
    assert.deepEqual(kubernetesPolicyProblems(exampleSpec()), []);
  });

  it('re-checks privileged and system: roles at render time, whatever validation let through', () => {
    for (const grant of [{ namespace: 'p1', clusterRole: 'cluster-admin' }, { namespace: 'p1', clusterRole: 'admin' }, { clusterRole: 'system:node' }, { namespace: 'p1', role: 'system:x' }]) {
      const spec = unvalidated((doc) => { doc.policy[0].grant[0].kubernetes = [grant]; });
      assert.throws(() => renderKubernetes(spec), (e) => isBrokerError(e, 'ERR_POLICY_PRIVILEGED'), JSON.stringify(grant));
    }
  });

  it('encodes a federation name that is no valid label value, and still recognises its objects', () => {
    const long = `fed.${'x'.repeat(80)}-`;
    const value = labelValue(long);
    assert.match(value, LABEL);
    assert.ok(value.length <= 63);
    assert.equal(labelValue('scs-demo'), 'scs-demo');
    const labels = kubernetesLabels(long);
    assert.ok(isManagedObject({ labels, annotations: { 'fedbroker.scs.community/federation': long } }, long));
    assert.ok(!isManagedObject({ labels }, long), 'an encoded label needs the full-name annotation');
    assert.ok(!isManagedObject({ labels, annotations: { 'fedbroker.scs.community/federation': 'other' } }, long));
    assert.ok(!isManagedObject({ labels: { ...labels, 'fedbroker.scs.community/managed-by': 'someone' } }, long));
  });
});

describe('renderKubernetes: AuthenticationConfiguration', () => {
  const spec = exampleSpec();
  const b = spec.clouds[1]!;
  const text = renderAuthenticationConfig(spec, b, b.kubernetes!.clusters[0]!, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const doc = parse(text) as any;

  it('is one JWT authenticator for the partner realm: https issuer, CA, the cluster audience, oidc: prefixes', () => {
    assert.match(text, /^# Rendered by scs-federation-broker for federation "scs-demo"/);
    assert.equal(doc.apiVersion, 'apiserver.config.k8s.io/v1');
    assert.equal(doc.kind, 'AuthenticationConfiguration');
    assert.equal(doc.jwt.length, 1);
    assert.deepEqual(doc.jwt[0].issuer, { url: 'https://127.0.0.1:18443/realms/cloud-b', audiences: ['kubernetes'], certificateAuthority: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n' });
    assert.deepEqual(doc.jwt[0].claimMappings.username, { claim: 'preferred_username', prefix: 'oidc:' });
    assert.match(doc.jwt[0].claimMappings.groups.expression, /startsWith\('\/' \+ string\(claims\.home_cloud\) \+ ':\/'\)/);
    assert.match(text, /certificateAuthority: \|\n/);
  });

  it('validates home_cloud against the trusting homes and usernames against the naming template', () => {
    const rules = doc.jwt[0].claimValidationRules.map((r: { expression: string }) => r.expression).join('\n');
    assert.match(rules, /string\(claims\.home_cloud\) in \['cloud-a', 'cloud-c'\]/);
    assert.match(rules, /startsWith\('system:'\)/);
    assert.match(rules, /has\(claims\.home_cloud\) \|\| !string\(claims\.preferred_username\)\.matches/);
    assert.ok(doc.jwt[0].userValidationRules.length >= 2);
    const alone = exampleSpec((d) => { noExamples(d); d.trust = { mode: 'edges', edges: [{ home: 'cloud-b', partner: 'cloud-a' }] }; });
    const none = parse(renderAuthenticationConfig(alone, alone.clouds[1]!, alone.clouds[1]!.kubernetes!.clusters[0]!));
    assert.deepEqual(none.jwt[0].claimValidationRules.map((r: { expression: string }) => r.expression).at(-1), '!has(claims.home_cloud)');
    assert.equal(none.jwt[0].issuer.certificateAuthority, undefined);
  });

  it('builds username patterns from the template', () => {
    const re = (p: string) => new RegExp(p);
    assert.ok(re(federatedUsernamePattern({ username: '{homeCloud}.{username}', keystoneDomain: 'x' }, ['cloud-a'])).test('cloud-a.alice'));
    assert.ok(!re(federatedUsernamePattern({ username: '{homeCloud}.{username}', keystoneDomain: 'x' }, ['cloud-a'])).test('cloud-ab.alice'));
    const suffix = re(federatedUsernamePattern({ username: '{username}@{homeCloud}', keystoneDomain: 'x' }, ['cloud-a', 'cloud-c']));
    assert.ok(suffix.test('alice@cloud-c') && !suffix.test('alice@cloud-b'));
  });

  it('is a shared desired object compared by digest, only for clusters whose file the broker writes', () => {
    const none = renderKubernetes(spec).filter((o) => o.kind === 'AuthenticationConfiguration');
    assert.deepEqual(none, []);
    const one = renderKubernetes(spec, { authenticationConfig: { [clusterKey('cloud-b', 'cloud-b')]: { issuerCaPem: 'PEM' } } }).filter((o) => o.kind === 'AuthenticationConfiguration');
    assert.equal(one.length, 1);
    assert.equal(one[0]?.shared, true);
    assert.match(String(one[0]?.fields['digest']), /^fnv1a64:[0-9a-f]{16}$/);
    const other = renderKubernetes(spec, { authenticationConfig: { 'cloud-b/cloud-b': { issuerCaPem: 'OTHER' } } }).find((o) => o.kind === 'AuthenticationConfiguration');
    assert.notEqual(other?.fields['digest'], one[0]?.fields['digest']);
    assert.equal(typeof one[0]?.writeOnly?.['content'], 'string');
  });
});
