// Reading home clouds' identity-provider metadata from a local HTTPS server that plays a Keycloak:
// good documents become HomeMetadata; bad ones become coded errors that name the cloud and URL.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeycloakHomeMetadata } from '../../src/adapters/keycloak/home-metadata.ts';
import { isBrokerError, type ErrorCode } from '../../src/core/errors.ts';
import type { CloudSpec } from '../../src/core/federation/schema.ts';
import { exampleSpec } from '../support/example-federation.ts';
import { makeTestTls } from '../support/tls.ts';

const CERT = 'MIIBszCCAVmgAwIBAgIUQ2VydGlmaWNhdGVGb3JUZXN0czAKBggqhkjOPQQDAjA=';

function descriptor(origin: string, realm: string, parts: { sso?: boolean; slo?: boolean; cert?: boolean } = {}): string {
  const { sso = true, slo = true, cert = true } = parts;
  const base = `${origin}/realms/${realm}`;
  return `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="${base}">`
    + '<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">'
    + (cert ? `<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>\n  ${CERT}\n</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>` : '')
    + '<md:KeyDescriptor use="encryption"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>MIIENCRYPTION</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>'
    + (slo ? `<md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${base}/protocol/saml"/>` : '')
    + `<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${base}/protocol/saml/redirect"/>`
    + (sso ? `<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${base}/protocol/saml"/>` : '')
    + '</md:IDPSSODescriptor></md:EntityDescriptor>';
}

function discovery(origin: string, realm: string, change: Record<string, unknown> = {}): string {
  const base = `${origin}/realms/${realm}`;
  return JSON.stringify({
    issuer: base, authorization_endpoint: `${base}/protocol/openid-connect/auth`, token_endpoint: `${base}/protocol/openid-connect/token`,
    jwks_uri: `${base}/protocol/openid-connect/certs`, userinfo_endpoint: `${base}/protocol/openid-connect/userinfo`,
    end_session_endpoint: `${base}/protocol/openid-connect/logout`, ...change,
  });
}

describe('home identity-provider metadata', () => {
  let server: Server;
  let origin: string;
  let caFile: string;
  const documents = new Map<string, string>();

  before(async () => {
    const tls = makeTestTls();
    caFile = join(mkdtempSync(join(tmpdir(), 'fedbroker-md-')), 'ca.pem');
    writeFileSync(caFile, tls.caPem);
    server = createServer({ cert: tls.certPem, key: tls.keyPem }, (req, res) => {
      const body = documents.get(req.url ?? '');
      if (body === undefined) { res.writeHead(404).end('{"error":"Realm does not exist"}'); return; }
      res.writeHead(200, { 'content-type': body.startsWith('<') ? 'application/xml' : 'application/json' }).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const oidc = (realm: string, body: string) => documents.set(`/realms/${realm}/.well-known/openid-configuration`, body);
    const saml = (realm: string, body: string) => documents.set(`/realms/${realm}/protocol/saml/descriptor`, body);
    oidc('good', discovery(origin, 'good'));
    oidc('wrong-issuer', discovery(origin, 'wrong-issuer', { issuer: `${origin}/realms/someone-else` }));
    oidc('plain-http', discovery(origin, 'plain-http', { token_endpoint: 'http://127.0.0.1/token' }));
    oidc('no-jwks', discovery(origin, 'no-jwks', { jwks_uri: undefined }));
    oidc('not-json', '<html>login</html>');
    saml('good', descriptor(origin, 'good'));
    saml('not-xml', '{"this": "is json"}');
    saml('broken-xml', '<md:EntityDescriptor entityID="x"><md:IDPSSODescriptor>');
    saml('no-sso', descriptor(origin, 'no-sso', { sso: false }));
    saml('no-cert', descriptor(origin, 'no-cert', { cert: false }));
    saml('no-slo', descriptor(origin, 'no-slo', { slo: false }));
    saml('doctype', `<!DOCTYPE x [<!ENTITY a "aaaa">]>${descriptor(origin, 'doctype')}`);
    saml('sp-only', `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="x"><md:SPSSODescriptor/></md:EntityDescriptor>`);
  });
  after(() => { server.closeAllConnections(); server.close(); });

  const cloud = (realm: string, homeProtocol: 'oidc' | 'saml', url = origin): CloudSpec => exampleSpec((doc) => {
    Object.assign(doc.clouds[0], { homeProtocol });
    Object.assign(doc.clouds[0].keycloak, { url, realm, caFile });
  }).clouds[0] as CloudSpec;
  const reader = new KeycloakHomeMetadata({ baseDir: '/' });

  async function failsWith(target: CloudSpec, code: ErrorCode, mention?: string): Promise<void> {
    await assert.rejects(reader.read(target), (e: unknown) => {
      assert.ok(isBrokerError(e, code), `expected ${code}, got ${String(e)}`);
      assert.equal(e.details['cloud'], 'cloud-a');
      assert.ok(String(e.details['url']).startsWith(target.keycloak.url), 'the error names the URL');
      if (mention) assert.match(e.message, new RegExp(mention));
      return true;
    });
  }

  it('reads an OIDC discovery document', async () => {
    assert.deepEqual(await reader.read(cloud('good', 'oidc')), {
      protocol: 'oidc', issuer: `${origin}/realms/good`,
      authorizationEndpoint: `${origin}/realms/good/protocol/openid-connect/auth`, tokenEndpoint: `${origin}/realms/good/protocol/openid-connect/token`,
      jwksUri: `${origin}/realms/good/protocol/openid-connect/certs`, userinfoEndpoint: `${origin}/realms/good/protocol/openid-connect/userinfo`,
      endSessionEndpoint: `${origin}/realms/good/protocol/openid-connect/logout`,
    });
  });

  it('refuses an issuer other than the spec\'s realm', () => failsWith(cloud('wrong-issuer', 'oidc'), 'ERR_METADATA_INVALID', 'issuer'));
  it('refuses a plain-http endpoint', () => failsWith(cloud('plain-http', 'oidc'), 'ERR_METADATA_INVALID', 'token_endpoint'));
  it('refuses a discovery document without jwks_uri', () => failsWith(cloud('no-jwks', 'oidc'), 'ERR_METADATA_INVALID', 'jwks_uri'));
  it('refuses a discovery document that is not JSON', () => failsWith(cloud('not-json', 'oidc'), 'ERR_METADATA_INVALID'));
  it('says ERR_KEYCLOAK_REALM_NOT_FOUND for a realm that does not exist', () => failsWith(cloud('missing', 'oidc'), 'ERR_KEYCLOAK_REALM_NOT_FOUND', '404'));

  it('reads a SAML descriptor: entity id, HTTP-POST locations, signing certificates only', async () => {
    assert.deepEqual(await reader.read(cloud('good', 'saml')), {
      protocol: 'saml', entityId: `${origin}/realms/good`, singleSignOnServiceUrl: `${origin}/realms/good/protocol/saml`,
      singleLogoutServiceUrl: `${origin}/realms/good/protocol/saml`, signingCertificates: [CERT],
    });
  });

  it('accepts a SAML descriptor without single logout', async () => {
    const metadata = await reader.read(cloud('no-slo', 'saml'));
    assert.equal(metadata.protocol === 'saml' && metadata.singleLogoutServiceUrl, undefined);
  });

  it('refuses a SAML descriptor that is not XML', () => failsWith(cloud('not-xml', 'saml'), 'ERR_METADATA_INVALID'));
  it('refuses malformed XML', () => failsWith(cloud('broken-xml', 'saml'), 'ERR_METADATA_INVALID', 'well-formed'));
  it('refuses a SAML descriptor without an HTTP-POST SingleSignOnService', () => failsWith(cloud('no-sso', 'saml'), 'ERR_METADATA_INVALID', 'SingleSignOnService'));
  it('refuses a SAML descriptor without a signing certificate', () => failsWith(cloud('no-cert', 'saml'), 'ERR_METADATA_INVALID', 'X509Certificate'));
  it('refuses a SAML document with a DOCTYPE', () => failsWith(cloud('doctype', 'saml'), 'ERR_METADATA_INVALID', 'DOCTYPE'));
  it('refuses service-provider metadata', () => failsWith(cloud('sp-only', 'saml'), 'ERR_METADATA_INVALID', 'IDPSSODescriptor'));

  it('passes the HTTP module\'s code on, with the cloud, when the server cannot be reached', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await failsWith(cloud('good', 'oidc', `https://127.0.0.1:${port}`), 'ERR_HTTP_UNREACHABLE');
  });

  it('passes TLS failures on as ERR_HTTP_TLS with the cloud', async () => {
    const target = exampleSpec((doc) => { Object.assign(doc.clouds[0].keycloak, { url: origin, realm: 'good' }); delete doc.clouds[0].keycloak.caFile; }).clouds[0] as CloudSpec;
    await failsWith(target, 'ERR_HTTP_TLS');
  });
});
