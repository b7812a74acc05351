// Reads what a home cloud's Keycloak realm publishes (HomeMetadataPort): the OIDC discovery document,
// or the SAML IdP descriptor when the cloud offers SAML as home. Through the cloud's HttpOut only.
// Errors name the cloud and URL: unreachable → the HTTP module's code; a non-200 answer →
// ERR_DISCOVERY_UNREACHABLE (404: ERR_KEYCLOAK_REALM_NOT_FOUND); anything malformed → ERR_METADATA_INVALID.
import { BrokerError, isBrokerError } from '../../core/errors.ts';
import { realmUrl } from '../../core/federation/realm-url.ts';
import type { HomeMetadata, OidcHomeMetadata } from '../../core/render/keycloak/metadata.ts';
import type { CloudSpec } from '../../core/federation/schema.ts';
import type { HomeMetadataPort } from '../../ports.ts';
import type { HttpOut } from '../http-out.ts';
import { keycloakHttpOut } from './factory.ts';
import { parseSamlDescriptor } from './saml-descriptor.ts';

/** Bigger documents are refused: metadata is a few kilobytes. */
const MAX_DOCUMENT_BYTES = 1_000_000;

export interface KeycloakHomeMetadataOptions {
  /** Folder the spec's relative paths (caFile) are resolved from. */
  readonly baseDir: string;
  /** Builds the HTTP module for a cloud (default: its Keycloak origin and CA bundle). */
  readonly httpFor?: (cloud: CloudSpec) => Promise<HttpOut>;
}

export class KeycloakHomeMetadata implements HomeMetadataPort {
  readonly #httpFor: (cloud: CloudSpec) => Promise<HttpOut>;

  constructor(options: KeycloakHomeMetadataOptions) {
    this.#httpFor = options.httpFor ?? ((cloud) => keycloakHttpOut(cloud, options.baseDir));
  }

  async read(cloud: CloudSpec): Promise<HomeMetadata> {
    const realm = realmUrl(cloud.keycloak.url, cloud.keycloak.realm);
    const saml = cloud.homeProtocol === 'saml';
    const url = saml ? `${realm}/protocol/saml/descriptor` : `${realm}/.well-known/openid-configuration`;
    const http = await this.#httpFor(cloud);
    try {
      const text = await fetchDocument(http, cloud, url);
      return saml ? samlMetadata(cloud, url, text) : oidcMetadata(cloud, url, realm, text);
    } finally {
      await http.close();
    }
  }
}

async function fetchDocument(http: HttpOut, cloud: CloudSpec, url: string): Promise<string> {
  const details = { cloud: cloud.alias, url };
  let response: Response;
  try {
    response = await http.fetch(url, { headers: { accept: cloud.homeProtocol === 'saml' ? 'application/samlmetadata+xml, application/xml, text/xml' : 'application/json' } });
  } catch (cause) {
    if (isBrokerError(cause)) throw new BrokerError(cause.code, `identity-provider metadata of cloud ${cloud.alias}: ${cause.message}`, { cause, details: { ...cause.details, ...details } });
    throw cause;
  }
  const text = await response.text();
  if (response.status === 404) {
    throw new BrokerError('ERR_KEYCLOAK_REALM_NOT_FOUND', `realm "${cloud.keycloak.realm}" of cloud ${cloud.alias} does not exist at ${cloud.keycloak.url} (${url} answered 404)`,
      { details: { ...details, realm: cloud.keycloak.realm, status: 404 } });
  }
  if (response.status !== 200) {
    throw new BrokerError('ERR_DISCOVERY_UNREACHABLE', `${url} answered ${response.status}: cloud ${cloud.alias} does not publish its identity-provider metadata there (is the realm right?)`,
      { details: { ...details, status: response.status } });
  }
  if (text.length > MAX_DOCUMENT_BYTES) throw invalid(cloud, url, `the document is larger than ${MAX_DOCUMENT_BYTES} bytes`);
  return text;
}

function oidcMetadata(cloud: CloudSpec, url: string, realm: string, text: string): OidcHomeMetadata {
  let doc: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not a JSON object');
    doc = parsed as Record<string, unknown>;
  } catch {
    throw invalid(cloud, url, 'the discovery document is not a JSON object');
  }
  if (doc['issuer'] !== realm) {
    throw invalid(cloud, url, `issuer is ${JSON.stringify(doc['issuer'])} but the spec's realm is ${realm}; check keycloak.url and keycloak.realm (and Keycloak's hostname setting)`);
  }
  const endpoint = (key: string, required: boolean): string | undefined => {
    const value = doc[key];
    if (value === undefined && !required) return undefined;
    if (typeof value !== 'string' || !isHttps(value)) throw invalid(cloud, url, `${key} is ${value === undefined ? 'missing' : `not an https URL (${JSON.stringify(value)})`}`);
    return value;
  };
  const userinfoEndpoint = endpoint('userinfo_endpoint', false);
  const endSessionEndpoint = endpoint('end_session_endpoint', false);
  return {
    protocol: 'oidc', issuer: realm,
    authorizationEndpoint: endpoint('authorization_endpoint', true) as string,
    tokenEndpoint: endpoint('token_endpoint', true) as string,
    jwksUri: endpoint('jwks_uri', true) as string,
    ...(userinfoEndpoint && { userinfoEndpoint }),
    ...(endSessionEndpoint && { endSessionEndpoint }),
  };
}

function samlMetadata(cloud: CloudSpec, url: string, text: string): HomeMetadata {
  const result = parseSamlDescriptor(text);
  if (!result.ok) throw invalid(cloud, url, result.problem);
  return result.metadata;
}

function invalid(cloud: CloudSpec, url: string, problem: string): BrokerError {
  return new BrokerError('ERR_METADATA_INVALID', `identity-provider metadata of cloud ${cloud.alias} at ${url} is unusable: ${problem}`, { details: { cloud: cloud.alias, url, problem } });
}

function isHttps(value: string): boolean {
  try { return new URL(value).protocol === 'https:'; } catch { return false; }
}
