// What `fedbroker render horizon` and `render keystone-apache` print for a cloud with a Horizon: the
// federated login by default through this cloud's identity provider, a Sign Out that ends the realm
// session (RP-initiated logout to this cloud's realm), mod_auth_openidc with PKCE at this realm for
// the client Keystone accepts; no secret value; clear errors for a cloud without Horizon.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isBrokerError } from '../../src/core/errors.ts';
import { CRYPTO_PASSPHRASE_VARIABLE, renderHorizonSettings, renderKeystoneApacheWebSso } from '../../src/core/render/horizon/index.ts';
import { exampleSpec } from '../support/example-federation.ts';

describe('render horizon / keystone-apache', () => {
  const spec = exampleSpec();

  it('Horizon: federated login by default via this cloud\'s identity provider; Sign Out ends the session in this cloud\'s realm', () => {
    const out = renderHorizonSettings(spec, 'cloud-b');
    assert.match(out, /^OPENSTACK_KEYSTONE_URL = "https:\/\/127\.0\.0\.1:16002\/v3"$/m);
    assert.match(out, /^WEBSSO_IDP_MAPPING = \{"openid": \("keycloak", "openid"\)\}$/m);
    assert.match(out, /^WEBSSO_DEFAULT_REDIRECT = True$/m);
    assert.match(out, /^WEBSSO_CHOICES = \(\("openid", "Federated login \(Cloud B, Cloud A, Cloud C\)"\), \("credentials", "Keystone credentials"\)\)$/m);
    const logout = /^WEBSSO_DEFAULT_REDIRECT_LOGOUT = "([^"]+)"$/m.exec(out)?.[1];
    assert.ok(logout);
    const url = new URL(logout);
    assert.equal(`${url.origin}${url.pathname}`, 'https://127.0.0.1:18443/realms/cloud-b/protocol/openid-connect/logout');
    assert.equal(url.searchParams.get('client_id'), 'openstack');
    assert.equal(url.searchParams.get('post_logout_redirect_uri'), 'https://127.0.0.1:16012/auth/login/');
  });

  it('Keystone\'s Apache: code flow with PKCE at this cloud\'s realm, the route opened for its identity provider, the passphrase by variable', () => {
    const renamed = structuredClone(spec) as typeof spec;
    (renamed.clouds.find((c) => c.alias === 'cloud-b')!.keystone as { identityProvider: string }).identityProvider = 'cloudb-idp';
    const out = renderKeystoneApacheWebSso(renamed, 'cloud-b');
    assert.match(out, /^OIDCProviderMetadataURL "https:\/\/127\.0\.0\.1:18443\/realms\/cloud-b\/\.well-known\/openid-configuration"$/m);
    assert.match(out, /^OIDCClientID "openstack"$/m);
    assert.match(out, /^OIDCPKCEMethod S256$/m);
    assert.match(out, /^OIDCRedirectURI "https:\/\/127\.0\.0\.1:16002\/v3\/auth\/OS-FEDERATION\/websso\/openid\/redirect"$/m);
    assert.match(out, new RegExp(`^OIDCCryptoPassphrase "\\$\\{${CRYPTO_PASSPHRASE_VARIABLE}\\}"$`, 'm'));
    assert.match(out, /identity_providers\/cloudb-idp\/protocols\/openid\/websso/);
    assert.doesNotMatch(out, /identity_providers\/keycloak\//);
    // The redirect URI is mod_auth_openidc's own: excluded from the proxy to Keystone.
    assert.match(out, /^ProxyPass "\/v3\/auth\/OS-FEDERATION\/websso\/openid\/redirect" !$/m);
  });

  it('a cloud without Horizon and an unknown cloud are refused with ERR_USAGE naming the fix', () => {
    assert.throws(() => renderHorizonSettings(spec, 'cloud-a'), (e) => isBrokerError(e, 'ERR_USAGE') && /keystone\.dashboard\.url/.test(e.message) && e.details['cloud'] === 'cloud-a');
    assert.throws(() => renderKeystoneApacheWebSso(spec, 'cloud-a'), (e) => isBrokerError(e, 'ERR_USAGE'));
    assert.throws(() => renderHorizonSettings(spec, 'cloud-x'), (e) => isBrokerError(e, 'ERR_USAGE') && e.details['cloud'] === 'cloud-x');
  });
});
