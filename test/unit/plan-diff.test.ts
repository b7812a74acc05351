import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { diff, isEmptyPlan } from '../../src/core/plan/diff.ts';
import { compareFields } from '../../src/core/plan/compare.ts';
import { formatPlan, formatPlanJson, planToJson } from '../../src/core/plan/format.ts';
import { rewriteSecretsOfNewClients } from '../../src/core/render/keycloak/client-secret.ts';
import type { DesiredObject, ObservedObject } from '../../src/core/plan/model.ts';
import { renderKeycloak } from '../../src/core/render/keycloak/index.ts';
import { KEYCLOAK_KIND_ORDER } from '../../src/core/render/keycloak/model.ts';
import { exampleSpec } from '../support/example-federation.ts';
import { demoHomeMetadata } from '../support/metadata.ts';

/** What a system would report for a desired object: `{ $includes: [...] }` becomes the plain list. */
const asObserved = (fields: DesiredObject['fields']): ObservedObject['fields'] =>
  JSON.parse(JSON.stringify(fields), (_k, v) => (v && typeof v === 'object' && Array.isArray(v.$includes) ? v.$includes : v));
const observedFrom = (d: DesiredObject, patch: Partial<ObservedObject> = {}): ObservedObject =>
  ({ system: d.system, cloud: d.cloud, scope: d.scope, kind: d.kind, name: d.name, fields: asObserved(d.fields), managed: true, ...patch });

const spec = exampleSpec();
const desired = renderKeycloak(spec, demoHomeMetadata(spec));

describe('plan: diff(desired, observed)', () => {
  it('creates everything on an empty federation, in dependency order', () => {
    const plan = diff(desired, [], KEYCLOAK_KIND_ORDER);
    assert.equal(plan.summary.create, desired.length);
    const order = plan.changes.map((c) => KEYCLOAK_KIND_ORDER.indexOf(c.desired!.kind as never));
    assert.deepEqual(order, [...order].sort((a, b) => a - b));
    const groups = plan.changes.filter((c) => c.desired?.kind === 'group').map((c) => c.desired!.name);
    groups.forEach((g, i) => { const parent = g.slice(0, g.lastIndexOf('/')); if (parent) assert.ok(groups.indexOf(parent) < i, `${parent} before ${g}`); });
  });

  it('is empty when observed matches, even with extra observed fields and string-typed booleans', () => {
    const observed = desired.map((d) => observedFrom(d, { fields: { ...asObserved(d.fields), id: 'x', extra: 1 } }));
    const plan = diff(desired, observed, KEYCLOAK_KIND_ORDER);
    assert.ok(isEmptyPlan(plan), formatPlan(plan));
    assert.deepEqual(compareFields({ enabled: true, n: 300 }, { enabled: 'true', n: '300' }), []);
  });

  it('updates with field-level detail, and notices extra or missing protocol mappers', () => {
    const client = desired.find((d) => d.kind === 'client' && d.cloud === 'cloud-a')!;
    const drifted = structuredClone(client.fields) as { attributes: Record<string, string>; protocolMappers: { name: string }[] };
    drifted.attributes['pkce.code.challenge.method'] = 'plain';
    drifted.protocolMappers = [...drifted.protocolMappers.filter((m) => m.name !== 'email'), { name: 'hand-made', protocol: 'openid-connect' } as { name: string }];
    const plan = diff([client], [observedFrom(client, { fields: drifted as never })], KEYCLOAK_KIND_ORDER);
    assert.equal(plan.summary.update, 1);
    assert.deepEqual(plan.changes[0]!.fieldChanges.map((f) => f.path).sort(), ['attributes.pkce.code.challenge.method', 'protocolMappers[email]', 'protocolMappers[hand-made]']);
  });

  it('deletes only managed objects that are no longer desired, children before parents', () => {
    const gone = desired.filter((d) => d.name.startsWith('cloud-c') || d.name.startsWith('/cloud-c:'));
    assert.ok(gone.length > 3);
    const handMade = observedFrom(gone[0]!, { name: 'hand-made-idp', kind: 'identityProvider', managed: false });
    const plan = diff(desired.filter((d) => !gone.includes(d)), [...desired.map((d) => observedFrom(d)), handMade], KEYCLOAK_KIND_ORDER);
    assert.equal(plan.summary.delete, gone.length);
    assert.ok(!plan.changes.some((c) => c.observed?.name === 'hand-made-idp' && c.action !== 'noop'));
    const deletedKinds = plan.changes.filter((c) => c.action === 'delete').map((c) => KEYCLOAK_KIND_ORDER.indexOf(c.observed!.kind as never));
    assert.deepEqual(deletedKinds, [...deletedKinds].sort((a, b) => b - a));
  });

  it('reports a conflict instead of taking over an object the broker did not create', () => {
    const idp = desired.find((d) => d.kind === 'identityProvider')!;
    const plan = diff([idp], [observedFrom(idp, { managed: false })], KEYCLOAK_KIND_ORDER);
    assert.equal(plan.summary.conflict, 1);
    assert.match(plan.changes[0]!.reason!, /not created by the broker/);
  });

  it('updates shared settings without owning them, and never deletes them', () => {
    const events = desired.find((d) => d.kind === 'realmEvents')!;
    const plan = diff([events], [observedFrom(events, { managed: false, fields: { eventsEnabled: false, enabledEventTypes: ['LOGIN'] } })], KEYCLOAK_KIND_ORDER);
    assert.equal(plan.summary.update, 1);
    assert.equal(diff([], [observedFrom(events, { managed: false })], KEYCLOAK_KIND_ORDER).summary.delete, 0);
  });

  it('re-writes an identity provider secret when its home client is (re)created', () => {
    const observed = desired.filter((d) => !(d.kind === 'client' && d.cloud === 'cloud-a' && d.name === 'fed-cloud-b')).map((d) => observedFrom(d));
    const plan = rewriteSecretsOfNewClients(diff(desired, observed, KEYCLOAK_KIND_ORDER));
    assert.deepEqual(plan.changes.filter((c) => c.action !== 'noop').map((c) => `${c.action} ${c.key}`), [
      'create keycloak/cloud-a/cloud-a/client/fed-cloud-b',
      'update keycloak/cloud-b/cloud-b/identityProvider/cloud-a',
    ]);
  });
});

describe('plan output', () => {
  const plan = diff(desired, [], KEYCLOAK_KIND_ORDER);
  const golden = new URL('../fixtures/golden/plan-demo-keycloak.txt', import.meta.url);

  it('matches the golden file for the demo spec (UPDATE_GOLDEN=1 to regenerate)', () => {
    const text = formatPlan(plan);
    if (process.env['UPDATE_GOLDEN'] === '1') writeFileSync(golden, text);
    assert.equal(text, readFileSync(golden, 'utf8'));
  });

  it('is valid JSON without secrets', () => {
    const json = JSON.parse(JSON.stringify(planToJson(plan)));
    assert.equal(json.summary.create, desired.length);
    assert.equal(json.changes.length, desired.length);
    assert.ok(!JSON.stringify(json).toLowerCase().includes('"clientsecret":"'));
  });
});

describe('plan output from its JSON (what a broker\'s POST /api/v1/plan answers)', () => {
  it('reads the same as the plan itself: creates with write-only sources, updates with absent values, deletes', () => {
    const [first, second, third] = desired;
    const observed = [
      observedFrom(first!, { fields: { ...asObserved(first!.fields), enabled: 'no' } as ObservedObject['fields'] }),
      observedFrom(second!, { fields: {} }),
      { ...observedFrom(third!), name: 'left-over' },
    ];
    const plan = rewriteSecretsOfNewClients(diff(desired, observed, KEYCLOAK_KIND_ORDER));
    assert.ok(plan.summary.update > 0 && plan.summary.delete > 0 && plan.summary.create > 0, JSON.stringify(plan.summary));
    const text = formatPlan(plan);
    assert.match(text, /: \(none\) → /, 'an absent observed value');
    assert.match(text, /\(secret of client /, 'a write-only source');
    const overTheWire = JSON.parse(JSON.stringify(planToJson(plan)));
    assert.equal(formatPlanJson(overTheWire), text);
  });
});
