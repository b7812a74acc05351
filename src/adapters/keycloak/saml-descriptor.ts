// Parses a SAML 2.0 IdP metadata document (Keycloak's /protocol/saml/descriptor) into what the
// renderer needs: entity id, HTTP-POST single sign-on and logout locations, signing certificates.
// Documents with a DOCTYPE are refused (SAML metadata never needs one; no entity tricks), and so is
// hostile structure: nesting beyond MAX_DEPTH elements, names that could reach an object's prototype
// (`__proto__`, `constructor`: fast-xml-parser refuses them), more than MAX_SIGNING_CERTIFICATES keys.
// The size is limited by the read (1 MiB, src/adapters/keycloak/home-metadata.ts). Every refusal is a
// problem here, which the reader reports as ERR_METADATA_INVALID.
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { SamlHomeMetadata } from '../../core/render/keycloak/metadata.ts';

const HTTP_POST = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST';

export type SamlDescriptorResult = { ok: true; metadata: SamlHomeMetadata } | { ok: false; problem: string };

type Node = Record<string, unknown>;

/** Deepest element nesting accepted; Keycloak's descriptor is 7 deep (EntitiesDescriptor … X509Certificate). */
export const MAX_DEPTH = 32;
/** A realm publishes one or two signing keys (two during a rotation). */
export const MAX_SIGNING_CERTIFICATES = 16;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  removeNSPrefix: true,
  processEntities: false,
  parseTagValue: false,
  trimValues: true,
  maxNestedTags: MAX_DEPTH,
  isArray: (name) => ['EntityDescriptor', 'IDPSSODescriptor', 'KeyDescriptor', 'X509Certificate', 'SingleSignOnService', 'SingleLogoutService'].includes(name),
});

export function parseSamlDescriptor(xml: string): SamlDescriptorResult {
  if (/<!DOCTYPE/i.test(xml)) return { ok: false, problem: 'the document has a DOCTYPE, which SAML metadata never needs' };
  // The parser first: it stops at the first element nested too deep, where the validator would walk
  // the whole document; its other complaints yield to the validator's, which name the line.
  let root: Node | undefined;
  let refusal: string | undefined;
  try {
    root = parser.parse(xml) as Node;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/nested tags/i.test(message)) return { ok: false, problem: `the document nests elements more than ${MAX_DEPTH} deep` };
    const name = /Invalid name: "([^"]+)"/.exec(message)?.[1];
    refusal = name ? `an element or attribute is named "${name}", which could change an object's prototype` : `the XML parser refused the document (${message})`;
  }
  const valid = XMLValidator.validate(xml);
  if (valid !== true) return { ok: false, problem: `not well-formed XML (${valid.err.msg}, line ${valid.err.line})` };
  if (root === undefined) return { ok: false, problem: refusal ?? 'the XML parser refused the document' };
  const entity = first(root['EntityDescriptor']) ?? first(nodeOf(root['EntitiesDescriptor'])['EntityDescriptor']);
  if (!entity) return { ok: false, problem: 'no EntityDescriptor' };
  const entityId = text(entity['@entityID']);
  if (!entityId) return { ok: false, problem: 'the EntityDescriptor has no entityID' };
  const idp = first(entity['IDPSSODescriptor']);
  if (!idp) return { ok: false, problem: 'no IDPSSODescriptor: this is not an identity provider\'s metadata' };

  const postLocation = (services: unknown) => list(services).find((s) => s['@Binding'] === HTTP_POST)?.['@Location'];
  const singleSignOnServiceUrl = text(postLocation(idp['SingleSignOnService']));
  if (!singleSignOnServiceUrl) return { ok: false, problem: 'no SingleSignOnService with the HTTP-POST binding' };
  if (!isHttps(singleSignOnServiceUrl)) return { ok: false, problem: `the SingleSignOnService location ${singleSignOnServiceUrl} is not https` };
  const singleLogoutServiceUrl = text(postLocation(idp['SingleLogoutService']));
  if (singleLogoutServiceUrl && !isHttps(singleLogoutServiceUrl)) return { ok: false, problem: `the SingleLogoutService location ${singleLogoutServiceUrl} is not https` };

  // A KeyDescriptor without `use` serves signing and encryption alike.
  const signingCertificates = list(idp['KeyDescriptor'])
    .filter((k) => k['@use'] === undefined || k['@use'] === 'signing')
    .flatMap((k) => texts(nodeOf(nodeOf(k['KeyInfo'])['X509Data'])['X509Certificate']))
    .map((c) => c.replace(/\s+/g, ''))
    .filter((c) => /^[A-Za-z0-9+/]+={0,2}$/.test(c));
  if (signingCertificates.length === 0) return { ok: false, problem: 'no signing X509Certificate' };
  if (signingCertificates.length > MAX_SIGNING_CERTIFICATES) return { ok: false, problem: `${signingCertificates.length} signing certificates, more than the ${MAX_SIGNING_CERTIFICATES} a realm could use` };

  return { ok: true, metadata: { protocol: 'saml', entityId, singleSignOnServiceUrl, ...(singleLogoutServiceUrl && { singleLogoutServiceUrl }), signingCertificates } };
}

function nodeOf(value: unknown): Node {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? value as Node : {};
}

function list(value: unknown): Node[] {
  return (Array.isArray(value) ? value : value === undefined ? [] : [value]).map(nodeOf);
}

/** The text of text-only elements (a string, or `#text` when the element has attributes). */
function texts(value: unknown): string[] {
  return (Array.isArray(value) ? value : [value])
    .map((v) => (typeof v === 'string' ? v : nodeOf(v)['#text']))
    .filter((v): v is string => typeof v === 'string');
}

function first(value: unknown): Node | undefined {
  return list(value)[0];
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

function isHttps(url: string): boolean {
  try { return new URL(url).protocol === 'https:'; } catch { return false; }
}
