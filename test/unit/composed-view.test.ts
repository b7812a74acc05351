// What serve's long-running parts act on after a spec revision (core/federation/composed-view.ts): a
// new policy or trust edge between the clouds composed at start at once; a cloud added since, or one
// whose connection changed, only after a restart (named in `pending`).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { composedView } from '../../src/core/federation/composed-view.ts';
import { isTrusted } from '../../src/core/federation/trust.ts';
import { exampleSpec } from '../support/example-federation.ts';

const edges = (list: [string, string][]) => (doc: Record<string, unknown>) => { doc['trust'] = { mode: 'edges', edges: list.map(([home, partner]) => ({ home, partner })) }; };

describe('composed view of a newer spec', () => {
  it('is the newer spec itself when its clouds and their connections are those of the start', () => {
    const base: [string, string][] = [['cloud-a', 'cloud-b'], ['cloud-c', 'cloud-a']];
    const started = exampleSpec(edges(base));
    const latest = exampleSpec((d) => { edges([...base, ['cloud-c', 'cloud-b']])(d); d.clouds[1].displayName = 'B, renamed'; });
    const view = composedView(latest, started);
    assert.equal(view.spec, latest);
    assert.deepEqual(view.pending, []);
    assert.equal(isTrusted(view.spec, 'cloud-c', 'cloud-b'), true, 'a new edge reaches the logout hub at once');
  });

  it('leaves out a cloud added since, with its edges and grants', () => {
    const started = exampleSpec((d) => { d.clouds = d.clouds.slice(0, 2); for (const r of d.policy) r.examples = []; });
    const latest = exampleSpec((d) => { for (const r of d.policy) r.examples = []; d.policy[0].grant.push({ clouds: ['cloud-c'], keystone: [{ project: 'p9', roles: ['reader'] }] }); });
    const view = composedView(latest, started);
    assert.deepEqual(view.pending, ['cloud-c']);
    assert.deepEqual(view.spec.clouds.map((c) => c.alias), ['cloud-a', 'cloud-b']);
    assert.equal(view.spec.policy[0]!.grant.some((g) => g.clouds?.includes('cloud-c')), false);
  });

  it('keeps a cloud whose connection changed as it was at start', () => {
    const started = exampleSpec();
    const latest = exampleSpec((d) => { d.clouds[1].keycloak.url = 'https://127.0.0.1:18999'; d.clouds[1].displayName = 'B, moved'; });
    const view = composedView(latest, started);
    assert.deepEqual(view.pending, ['cloud-b']);
    assert.equal(view.spec.clouds[1]!.keycloak.url, started.clouds[1]!.keycloak.url);
    assert.equal(view.spec.clouds[1]!.displayName, started.clouds[1]!.displayName);
  });
});
