// Reads what a home cloud's Keycloak realm publishes (HomeMetadataPort): the OIDC discovery document
// (read and issuer-checked by openid-client's discovery), or the SAML IdP descriptor when the cloud
// offers SAML as home. Through the cloud's HttpOut only (openid-client's fetch is HttpOut.fetch).
// Errors name the cloud and URL: unreachable → the HTTP module's code; a non-200 answer →
// ERR_DISCOVERY_UNREACHABLE (404: ERR_KEYCLOAK_REALM_NOT_FOUND); anything malformed → ERR_METADATA_INVALID.
import * as oidc from 'openid-client';
import { BrokerError, isBrokerError } from '../../core/errors.ts';
import { realmUrl } from '../../core/federation/realm-url.ts';
import type { HomeMetadata, OidcHomeMetadata } from '../../core/render/keycloak/metadata.ts';
import type { CloudSpec } from '../../core/federation/schema.ts';
import type { HomeMetadataPort } from '../../ports.ts';
import { bufferedFetch, DEFAULT_MAX_BODY_BYTES } from '../http-body.ts';
import type { HttpOut } from '../http-out.ts';
import { classifyOpenIdFailure } from '../oidc/openid-client-errors.ts';
import { keycloakHttpOut } from './client.ts';
import { parseSamlDescriptor } from './saml-descriptor.ts';

/** Bigger documents are refused while they stream (the read stops there): metadata is a few kilobytes. */
const MAX_DOCUMENT_BYTES = DEFAULT_MAX_BODY_BYTES;

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
      return saml ? samlMetadata(cloud, url, await fetchDocument(http, cloud, url)) : await oidcMetadata(http, cloud, url, realm);
    } finally {
      await http.close();
    }
  }
}

async function fetchDocument(http: HttpOut, cloud: CloudSpec, url: string): Promise<string> {
  const accept = 'application/samlmetadata+xml, application/xml, text/xml';
  const response = await viaHttpModule(cloud, url, () => http.fetch(url, { headers: { accept }, maxBodyBytes: MAX_DOCUMENT_BYTES }));
  if (response.status !== 200) {
    await response.body?.cancel().catch(() => undefined);
    throw answeredStatus(cloud, url, response.status);
  }
  return viaHttpModule(cloud, url, () => response.text());
}

/** Runs one step of a read; the HTTP module's failures are named after the cloud and URL. */
async function viaHttpModule<T>(cloud: CloudSpec, url: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (cause) {
    throw isBrokerError(cause) ? fromHttpModule(cause, cloud, url) : cause;
  }
}

async function oidcMetadata(http: HttpOut, cloud: CloudSpec, url: string, realm: string): Promise<OidcHomeMetadata> {
  let doc: oidc.ServerMetadata;
  try {
    // The client id is not used: the broker only reads the document here.
    const discovered = await oidc.discovery(new URL(realm), 'fedbroker', undefined, undefined, { [oidc.customFetch]: bufferedFetch(http.fetch, MAX_DOCUMENT_BYTES) });
    doc = discovered.serverMetadata();
  } catch (error) {
    throw discoveryFailure(error, cloud, url, realm);
  }
  const endpoint = (key: keyof oidc.ServerMetadata, required: boolean): string | undefined => {
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

function discoveryFailure(error: unknown, cloud: CloudSpec, url: string, realm: string): BrokerError {
  const failure = classifyOpenIdFailure(error);
  if (failure.kind === 'http-module') return failure.error.code === 'ERR_METADATA_INVALID' ? failure.error : fromHttpModule(failure.error, cloud, url);
  if (failure.kind === 'status') return answeredStatus(cloud, url, failure.status);
  if (failure.code === 'OAUTH_JSON_ATTRIBUTE_COMPARISON') {
    const found = ((error as { cause?: { body?: { issuer?: unknown } } }).cause?.body?.issuer);
    return invalid(cloud, url, `issuer is ${JSON.stringify(found)} but the spec's realm is ${realm}; check keycloak.url and keycloak.realm (and Keycloak's hostname setting)`);
  }
  if (failure.code === 'OAUTH_RESPONSE_IS_NOT_JSON' || failure.code === 'OAUTH_PARSE_ERROR') return invalid(cloud, url, 'the discovery document is not a JSON object');
  return invalid(cloud, url, `the discovery document was refused (${failure.code}: ${failure.message})`);
}

/** A failure of the HTTP module (its code kept, except that an oversized document is unusable metadata), naming the cloud and URL. */
function fromHttpModule(cause: BrokerError, cloud: CloudSpec, url: string): BrokerError {
  if (cause.code === 'ERR_HTTP_BODY_TOO_LARGE') return tooLarge(cloud, url, cause);
  return new BrokerError(cause.code, `identity-provider metadata of cloud ${cloud.alias}: ${cause.message}`, { cause, details: { ...cause.details, cloud: cloud.alias, url } });
}

function answeredStatus(cloud: CloudSpec, url: string, status: number): BrokerError {
  const details = { cloud: cloud.alias, url, status };
  if (status === 404) {
    return new BrokerError('ERR_KEYCLOAK_REALM_NOT_FOUND', `realm "${cloud.keycloak.realm}" of cloud ${cloud.alias} does not exist at ${cloud.keycloak.url} (${url} answered 404)`,
      { details: { ...details, realm: cloud.keycloak.realm } });
  }
  return new BrokerError('ERR_DISCOVERY_UNREACHABLE', `${url} answered ${status}: cloud ${cloud.alias} does not publish its identity-provider metadata there (is the realm right?)`, { details });
}

function tooLarge(cloud: CloudSpec, url: string, cause: BrokerError): BrokerError {
  return invalid(cloud, url, `the document is larger than ${MAX_DOCUMENT_BYTES / (1024 * 1024)} MiB (the read was stopped there)`, cause);
}

function samlMetadata(cloud: CloudSpec, url: string, text: string): HomeMetadata {
  const result = parseSamlDescriptor(text);
  if (!result.ok) throw invalid(cloud, url, result.problem);
  return result.metadata;
}

function invalid(cloud: CloudSpec, url: string, problem: string, cause?: unknown): BrokerError {
  return new BrokerError('ERR_METADATA_INVALID', `identity-provider metadata of cloud ${cloud.alias} at ${url} is unusable: ${problem}`,
    { ...(cause !== undefined && { cause }), details: { cloud: cloud.alias, url, problem } });
}

function isHttps(value: string): boolean {
  try { return new URL(value).protocol === 'https:'; } catch { return false; }
}
