// Marker versions: this release writes marker version 2 everywhere it writes markers; objects of the
// previous release (no version) are owned all the same, and a plan over them is empty.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  isManaged, managedMarkers, managedMarkersText, MARKER_VERSION, MARKER_VERSION_ATTRIBUTE, MARKER_VERSION_KEY, markersFromText,
  markerVersionOf, UNVERSIONED_MARKER_VERSION, withoutMarkerVersion,
} from '../../src/core/managed.ts';
import { diff, isEmptyPlan } from '../../src/core/plan/diff.ts';
import type { DesiredObject, ObservedObject } from '../../src/core/plan/model.ts';
import { renderKeycloak } from '../../src/core/render/keycloak/index.ts';
import { KEYCLOAK_KIND_ORDER } from '../../src/core/render/keycloak/model.ts';
import { KEYSTONE_KIND_ORDER, renderKeystone, ZED_CAPABILITIES } from '../../src/core/render/keystone/index.ts';
import { entityMarkers, hasDescriptionMarker, hasEntityMarkers, hasMarkerRule, markedDescription, markerRule } from '../../src/core/render/keystone/names.ts';
import { renderKubernetes } from '../../src/core/render/kubernetes/index.ts';
import { isManagedObject, kubernetesAnnotations, kubernetesLabels } from '../../src/core/render/kubernetes/names.ts';
import { exampleSpec } from '../support/example-federation.ts';
import { demoHomeMetadata } from '../support/metadata.ts';
import { withPreviousMarkers } from '../support/previous-markers.ts';

const FEDERATION = 'scs-demo';
const spec = exampleSpec();
const rendered: DesiredObject[] = [
  ...renderKeycloak(spec, demoHomeMetadata(spec)),
  ...renderKeystone(spec, Object.fromEntries(spec.clouds.map((c) => [c.alias, ZED_CAPABILITIES]))),
  ...renderKubernetes(spec),
];
const kindOrder = [...KEYCLOAK_KIND_ORDER.map((k) => `keycloak/${k}`), ...KEYSTONE_KIND_ORDER.map((k) => `keystone/${k}`)];

/** A system's answer for a desired object: `{ $includes }` read back as the list, writeOnly values kept where the system returns them. */
function observedAs(d: DesiredObject): ObservedObject {
  const fields = JSON.parse(JSON.stringify(d.fields), (_k, v) => (v && typeof v === 'object' && Array.isArray(v.$includes) ? v.$includes : v));
  return { system: d.system, cloud: d.cloud, scope: d.scope, kind: d.kind, name: d.name, fields, managed: true, id: `id-${d.name}` };
}

describe('managed markers and their version', () => {
  it('this release writes marker version 2 in every form: attributes, text, Keystone attributes and descriptions, labels', () => {
    assert.equal(MARKER_VERSION, '2');
    assert.equal(managedMarkers(FEDERATION)[MARKER_VERSION_KEY], '2');
    assert.match(managedMarkersText(FEDERATION), / fedbroker\.scs\.community\/marker-version=2$/);
    assert.equal(entityMarkers(FEDERATION)[MARKER_VERSION_ATTRIBUTE], '2');
    assert.equal(markedDescription(FEDERATION, 'x'),
      `[fedbroker.scs.community/managed-by=scs-federation-broker fedbroker.scs.community/federation=${FEDERATION}] fedbroker.scs.community/marker-version=2 x`,
      'the previous release reads the bracketed markers exactly: a rollback keeps ownership');
    assert.equal(kubernetesLabels(FEDERATION)[MARKER_VERSION_KEY], '2');
    for (const system of ['keycloak', 'keystone', 'kubernetes']) {
      assert.ok(rendered.some((d) => d.system === system && JSON.stringify(d).match(/marker-version|fedbroker_marker_version/)), `${system} objects carry it`);
    }
  });

  it('the previous release\'s markers (no version) are recognised as owned, in every form', () => {
    const previous = withoutMarkerVersion(managedMarkers(FEDERATION)) as Record<string, string>;
    assert.deepEqual(previous, { 'fedbroker.scs.community/managed-by': 'scs-federation-broker', 'fedbroker.scs.community/federation': FEDERATION });
    assert.ok(isManaged(previous, FEDERATION) && isManaged(managedMarkers(FEDERATION), FEDERATION));
    assert.equal(markerVersionOf(previous), UNVERSIONED_MARKER_VERSION);
    assert.equal(markerVersionOf(managedMarkers(FEDERATION)), '2');
    assert.equal(markerVersionOf({ [MARKER_VERSION_ATTRIBUTE]: '2' }), '2');
    const previousText = `fedbroker.scs.community/managed-by=scs-federation-broker fedbroker.scs.community/federation=${FEDERATION}`;
    assert.equal(withoutMarkerVersion(managedMarkersText(FEDERATION)), previousText);
    assert.ok(isManaged(markersFromText(`Login flow ${previousText}`), FEDERATION));
    assert.ok(hasEntityMarkers(withoutMarkerVersion(entityMarkers(FEDERATION)) as Record<string, unknown>, FEDERATION));
    const previousDescription = `[${previousText}] Realm cloud-a of cloud cloud-a`;
    assert.equal(withoutMarkerVersion(markedDescription(FEDERATION, 'Realm cloud-a of cloud cloud-a')), previousDescription);
    assert.ok(hasDescriptionMarker(previousDescription, FEDERATION) && hasDescriptionMarker(markedDescription(FEDERATION, 'x'), FEDERATION));
    assert.ok(!hasDescriptionMarker(`[${previousText}x] y`, FEDERATION), 'another federation is not ours');
    assert.deepEqual(withoutMarkerVersion(markerRule(FEDERATION)), markerRule(FEDERATION), 'a mapping\'s marker rule keeps the previous form');
    assert.ok(hasMarkerRule([markerRule(FEDERATION), { local: [], remote: [] }], FEDERATION) && !hasMarkerRule([markerRule('other')], FEDERATION));
    const labels = withoutMarkerVersion(kubernetesLabels(FEDERATION)) as Record<string, string>;
    assert.equal(labels[MARKER_VERSION_KEY], undefined);
    assert.ok(isManagedObject({ labels, annotations: kubernetesAnnotations(FEDERATION) }, FEDERATION));
  });

  it('a plan over the previous release\'s objects is empty: the marker version alone is not drift', () => {
    const previous = rendered.map((d) => observedAs(withPreviousMarkers(d)));
    assert.ok(previous.some((o) => JSON.stringify(o.fields).includes(FEDERATION)) && !previous.some((o) => JSON.stringify(o.fields).match(/marker-version|fedbroker_marker_version/)));
    const plan = diff(rendered, previous, kindOrder);
    assert.deepEqual(plan.changes.filter((c) => c.action !== 'noop').map((c) => `${c.action} ${c.key} ${JSON.stringify(c.fieldChanges)}`), []);
    assert.ok(isEmptyPlan(plan));
    assert.equal(plan.summary.noop, rendered.length);
  });

  it('a real change next to an old marker is still planned (and then writes the current markers)', () => {
    const previous = rendered.map((d) => observedAs(withPreviousMarkers(d)));
    const i = previous.findIndex((o) => o.system === 'keystone' && o.kind === 'identityProvider');
    previous[i] = { ...previous[i]!, fields: { ...previous[i]!.fields, enabled: false } };
    const plan = diff(rendered, previous, kindOrder);
    assert.deepEqual(plan.changes.filter((c) => c.action !== 'noop').map((c) => [c.action, c.fieldChanges.map((f) => f.path)]), [['update', ['enabled']]]);
    assert.match(String(plan.changes.find((c) => c.action === 'update')?.desired?.fields['description']), /marker-version=2/);
  });

  it('objects carrying the current version plan empty too, and a newer version is not drift either', () => {
    assert.ok(isEmptyPlan(diff(rendered, rendered.map(observedAs), kindOrder)));
    const newer = rendered.map((d) => observedAs(JSON.parse(JSON.stringify(d).replaceAll('marker-version=2', 'marker-version=3'))));
    assert.ok(isEmptyPlan(diff(rendered, newer, kindOrder)));
  });
});
