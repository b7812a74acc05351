// The AuthenticationConfiguration (apiserver.config.k8s.io/v1) of one cluster of partner cloud P:
// one JWT authenticator for P's realm. Brokered users (their token carries `home_cloud`, stamped by
// a hard-coded mapper in P) keep only the groups mirrored from their own home and get
// `oidc:<H>:<home path>` plus `oidc:<H>`; P's own users keep their groups as `oidc:<path>`.
// CEL notes (Kubernetes 1.35): claims are of type `any`, so lists need dyn(...) and values string(...).
// See docs/decisions/0004-kubernetes-identities.md.
import { Document, Scalar } from 'yaml';
import type { CloudSpec, FederationSpec } from '../../federation/schema.ts';
import { realmUrl } from '../../federation/realm-url.ts';
import { HOME_CLOUD_ATTRIBUTE } from '../keycloak/names.ts';
import { fnv1a64 } from './hash.ts';
import type { KubernetesObject } from './model.ts';
import { HOME_CLOUD_EXTRA, OIDC_PREFIX } from './names.ts';
import { sortedHomesOf, type ClusterSpec } from './rbac.ts';

export const AUTHN_CONFIG_OBJECT_NAME = 'authentication-config';

/** First line of every rendered file: says who owns it. */
export function authenticationConfigHeader(federation: string): string {
  return `# Rendered by scs-federation-broker for federation "${federation}". Do not edit: the broker rewrites this file.`;
}

/** A CEL string literal. */
export function celString(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
}

const regexEscape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** RE2 pattern of the downstream username of `homes` per the spec's naming template. */
export function federatedUsernamePattern(naming: FederationSpec['naming'], homes: readonly string[]): string {
  const home = homes.length === 1 ? regexEscape(homes[0] as string) : `(?:${homes.map(regexEscape).join('|')})`;
  const parts = naming.username.split(/(\{homeCloud\}|\{username\})/);
  return `^${parts.map((p) => (p === '{homeCloud}' ? home : p === '{username}' ? '.+' : regexEscape(p))).join('')}$`;
}

const claim = (name: string) => `claims.${name}`;
const HOME = claim(HOME_CLOUD_ATTRIBUTE);

/** CEL: the groups of the authenticated user. */
export function groupsExpression(): string {
  const prefix = celString(OIDC_PREFIX);
  const own = `dyn(claims.groups).filter(g, string(g).startsWith('/' + string(${HOME}) + ':/')).map(g, ${prefix} + string(g).substring(1))`;
  const local = `dyn(claims.groups).map(g, ${prefix} + string(g))`;
  return `has(${HOME}) ? [${prefix} + string(${HOME})] + (has(claims.groups) ? ${own} : []) : (has(claims.groups) ? ${local} : [])`;
}

interface Rule { readonly expression: string; readonly message: string }

export function claimValidationRules(spec: FederationSpec, homes: readonly string[]): Rule[] {
  const rules: Rule[] = [{
    expression: "!has(claims.groups) || !dyn(claims.groups).exists(g, string(g).startsWith('system:'))",
    message: 'groups starting with system: are not accepted',
  }];
  if (homes.length === 0) {
    rules.push({ expression: `!has(${HOME})`, message: 'no home cloud is trusted by this cloud: brokered users are not accepted' });
    return rules;
  }
  rules.push({
    expression: `!has(${HOME}) || string(${HOME}) in [${homes.map(celString).join(', ')}]`,
    message: `home_cloud must be a cloud trusted by this cloud (${homes.join(', ')})`,
  });
  rules.push({
    expression: `!has(${HOME}) || ${homes.map((h) => `(string(${HOME}) == ${celString(h)} && string(claims.preferred_username).matches(${celString(federatedUsernamePattern(spec.naming, [h]))}))`).join(' || ')}`,
    message: 'a brokered user\'s name must be the federation\'s name for its home cloud',
  });
  rules.push({
    expression: `has(${HOME}) || !string(claims.preferred_username).matches(${celString(federatedUsernamePattern(spec.naming, homes))})`,
    message: 'a local user\'s name must not look like a brokered user\'s name',
  });
  return rules;
}

export const USER_VALIDATION_RULES: readonly Rule[] = [
  { expression: "!user.username.startsWith('system:')", message: 'username must not start with system:' },
  { expression: "user.groups.all(g, !g.startsWith('system:'))", message: 'groups must not start with system:' },
];

/** The YAML text of the cluster's AuthenticationConfiguration; `issuerCaPem` is the CA of P's Keycloak (omit for the host's roots). */
export function renderAuthenticationConfig(spec: FederationSpec, partner: CloudSpec, cluster: ClusterSpec, issuerCaPem?: string): string {
  const homes = sortedHomesOf(spec, partner.alias);
  const issuer: Record<string, unknown> = { url: realmUrl(partner.keycloak.url, partner.keycloak.realm), audiences: [cluster.audience] };
  if (issuerCaPem !== undefined) {
    const ca = new Scalar(issuerCaPem.trim() + '\n');
    ca.type = Scalar.BLOCK_LITERAL;
    issuer['certificateAuthority'] = ca;
  }
  const doc = new Document({
    apiVersion: 'apiserver.config.k8s.io/v1',
    kind: 'AuthenticationConfiguration',
    jwt: [{
      issuer,
      claimValidationRules: claimValidationRules(spec, homes),
      claimMappings: {
        username: { claim: 'preferred_username', prefix: OIDC_PREFIX },
        groups: { expression: groupsExpression() },
        uid: { claim: 'sub' },
        extra: [{ key: HOME_CLOUD_EXTRA, valueExpression: `has(${HOME}) ? string(${HOME}) : ''` }],
      },
      userValidationRules: USER_VALIDATION_RULES,
    }],
  });
  return `${authenticationConfigHeader(spec.metadata.name)}\n${doc.toString({ lineWidth: 0 })}`;
}

/** Digest used to compare a rendered file with the one on disk (the adapter computes the same). */
export function authenticationConfigDigest(content: string): string {
  return `fnv1a64:${fnv1a64(content)}`;
}

/** The file as a desired object: compared by digest, written from `writeOnly.content`, never deleted. */
export function authenticationConfigObject(spec: FederationSpec, partner: CloudSpec, cluster: ClusterSpec, issuerCaPem?: string): KubernetesObject {
  const content = renderAuthenticationConfig(spec, partner, cluster, issuerCaPem);
  return {
    system: 'kubernetes', cloud: partner.alias, scope: cluster.name, kind: 'AuthenticationConfiguration', name: AUTHN_CONFIG_OBJECT_NAME,
    fields: { issuer: realmUrl(partner.keycloak.url, partner.keycloak.realm), audiences: [cluster.audience], digest: authenticationConfigDigest(content) },
    writeOnly: { content },
    shared: true,
    pointsAt: [{ system: 'keycloak', cloud: partner.alias }],
  };
}
