// One realm URL (src/core/federation/realm-url.ts): the logout receiver, the Keystone and Kubernetes
// renderers and explain all name a realm the same way, also for a base URL with a trailing "/" and a
// realm name that needs escaping.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { brokeredClaims } from '../../src/core/explain/keystone.ts';
import { realmUrl } from '../../src/core/federation/realm-url.ts';
import { logoutIssuers } from '../../src/core/logout/token-rules.ts';
import { placeholderMetadata } from '../../src/core/render/keycloak/index.ts';
import { renderKeystone, ZED_CAPABILITIES } from '../../src/core/render/keystone/index.ts';
import { authenticationConfigObject } from '../../src/core/render/kubernetes/authn-config.ts';
import { explainClaims } from '../../src/services/explain.ts';
import { exampleSpec, type MutableDoc } from '../support/example-federation.ts';

const oddRealm = (doc: MutableDoc) => {
  const b = doc.clouds.find((c: { alias: string }) => c.alias === 'cloud-b');
  b.keycloak.url = `${b.keycloak.url}//`;
  b.keycloak.realm = 'Cloud B/ä';
};

describe('realm URL', () => {
  it('is <base>/realms/<realm>, the base without trailing slashes and the realm escaped', () => {
    assert.equal(realmUrl('https://kc.example', 'cloud-a'), 'https://kc.example/realms/cloud-a');
    assert.equal(realmUrl('https://kc.example/auth//', 'cloud-a'), 'https://kc.example/auth/realms/cloud-a');
    assert.equal(realmUrl('https://kc.example', 'Cloud B/ä'), 'https://kc.example/realms/Cloud%20B%2F%C3%A4');
  });

  it('every user of it agrees, for an odd base URL and realm name', async () => {
    const spec = exampleSpec(oddRealm);
    const b = spec.clouds.find((c) => c.alias === 'cloud-b')!;
    const expected = realmUrl(b.keycloak.url, b.keycloak.realm);
    assert.ok(expected.endsWith('/realms/Cloud%20B%2F%C3%A4') && !expected.includes('//realms'), expected);

    assert.equal(logoutIssuers(spec).find((i) => i.cloud === 'cloud-b')?.issuer, expected, 'logout receiver');
    const caps = Object.fromEntries(spec.clouds.map((c) => [c.alias, ZED_CAPABILITIES]));
    const idp = renderKeystone(spec, caps).find((o) => o.cloud === 'cloud-b' && o.kind === 'identityProvider');
    assert.deepEqual(idp?.fields['remote_ids'], [expected], 'Keystone identity provider');
    const cluster = b.kubernetes!.clusters[0]!;
    assert.equal(authenticationConfigObject(spec, b, cluster).fields['issuer'], expected, 'Kubernetes authenticator');
    const placeholder = placeholderMetadata(b);
    assert.equal(placeholder.protocol === 'oidc' ? placeholder.issuer : placeholder.entityId, expected, 'placeholder home metadata');
    const claims = brokeredClaims(spec, { homeCloud: 'cloud-a', homeUsername: 'alice', groups: [], attributes: {} }, 'cloud-b');
    assert.equal(claims['iss'], expected, 'explain: claims of a brokered token');
    const explained = await explainClaims(spec, claims, { homeDirectory: () => { throw new Error('not used'); } });
    assert.equal(explained.partners[0]?.cloud, 'cloud-b', 'explain --claims finds the cloud by its realm URL');
  });
});
