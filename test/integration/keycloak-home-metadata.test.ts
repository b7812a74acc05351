// Home metadata from the test bed's real Keycloak: OIDC discovery of cloud-a, SAML descriptor of cloud-c.
// Fails, never skips, when the test bed is not running.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { KeycloakHomeMetadata } from '../../src/adapters/keycloak/home-metadata.ts';
import { isBrokerError } from '../../src/core/errors.ts';
import type { CloudSpec } from '../../src/core/federation/schema.ts';
import { exampleSpec } from '../support/example-federation.ts';
import { loadTestbed } from '../support/testbed.ts';

/** A demo cloud pointed at the running test bed (its Keycloak URL and CA). */
function testbedCloud(alias: string, realm = alias): CloudSpec {
  const { caFile, keycloak } = loadTestbed();
  const spec = exampleSpec((doc) => { for (const c of doc.clouds) Object.assign(c.keycloak, { url: keycloak.url, caFile }); });
  const cloud = spec.clouds.find((c) => c.alias === alias) as CloudSpec;
  return { ...cloud, keycloak: { ...cloud.keycloak, realm } };
}

describe('home metadata from the test bed\'s Keycloak', () => {
  const reader = new KeycloakHomeMetadata({ baseDir: '/' });

  it('reads cloud-a\'s OIDC discovery document', async () => {
    const realm = `${loadTestbed().keycloak.url}/realms/cloud-a`;
    const metadata = await reader.read(testbedCloud('cloud-a'));
    assert.equal(metadata.protocol, 'oidc');
    assert.ok(metadata.protocol === 'oidc');
    assert.equal(metadata.issuer, realm);
    assert.equal(metadata.authorizationEndpoint, `${realm}/protocol/openid-connect/auth`);
    assert.equal(metadata.tokenEndpoint, `${realm}/protocol/openid-connect/token`);
    assert.equal(metadata.jwksUri, `${realm}/protocol/openid-connect/certs`);
    assert.equal(metadata.endSessionEndpoint, `${realm}/protocol/openid-connect/logout`);
  });

  it('reads cloud-c\'s SAML descriptor', async () => {
    const realm = `${loadTestbed().keycloak.url}/realms/cloud-c`;
    const metadata = await reader.read(testbedCloud('cloud-c'));
    assert.ok(metadata.protocol === 'saml', 'cloud-c offers SAML as home');
    assert.equal(metadata.entityId, realm);
    assert.equal(metadata.singleSignOnServiceUrl, `${realm}/protocol/saml`);
    assert.equal(metadata.singleLogoutServiceUrl, `${realm}/protocol/saml`);
    assert.ok(metadata.signingCertificates.length >= 1);
    for (const cert of metadata.signingCertificates) {
      assert.match(cert, /^MII[A-Za-z0-9+/]+={0,2}$/);
      assert.doesNotThrow(() => new X509Certificate(Buffer.from(cert, 'base64')), 'a DER certificate');
    }
  });

  it('says ERR_KEYCLOAK_REALM_NOT_FOUND, naming the cloud and realm, for a realm that does not exist', async () => {
    await assert.rejects(reader.read(testbedCloud('cloud-a', 'no-such-realm')), (e: unknown) => {
      assert.ok(isBrokerError(e, 'ERR_KEYCLOAK_REALM_NOT_FOUND'), String(e));
      assert.equal(e.details['cloud'], 'cloud-a');
      assert.equal(e.details['realm'], 'no-such-realm');
      return true;
    });
  });
});
