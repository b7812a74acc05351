// Render the desired Keycloak state of the whole federation from the spec and the home clouds'
// metadata: for every trust edge H → P, the client in H and the identity provider in P (docs/design.md §3), and
// in every partner realm the post-broker-login flow that refuses chained brokering (decision 0006).
import { BrokerError } from '../../errors.ts';
import type { CloudSpec, FederationSpec, PolicyRule } from '../../federation/schema.ts';
import { trustEdges } from '../../federation/trust.ts';
import { grantsIn, ruleAppliesToHome } from '../../policy/scope.ts';
import { renderHomeClient } from './home-client.ts';
import { renderFirstBrokerLoginFlow, renderHomeClientScope, renderHomeClientScopeLink, renderPostBrokerLoginFlow } from './login-flow.ts';
import { realmUrl } from '../../federation/realm-url.ts';
import type { HomeMetadata } from './metadata.ts';
import type { KeycloakObject } from './model.ts';
import { renderPartnerIdentityProvider, renderPartnerMappers } from './partner-idp.ts';
import { renderMirroredGroups, renderPartnerRealm, renderRealmEvents } from './partner-realm.ts';

export type HomeMetadataByCloud = Readonly<Record<string, HomeMetadata>>;

export function renderKeycloak(spec: FederationSpec, metadata: HomeMetadataByCloud): KeycloakObject[] {
  const clouds = new Map(spec.clouds.map((c) => [c.alias, c]));
  const edges = trustEdges(spec);
  const isHome = (c: CloudSpec) => edges.some((e) => e.home === c.alias);
  const out: KeycloakObject[] = spec.clouds.map((c) => renderRealmEvents(c, isHome(c)));
  const isPartner = (c: CloudSpec) => edges.some((e) => e.partner === c.alias);
  for (const partner of spec.clouds.filter(isPartner)) {
    out.push(...renderPartnerRealm(spec, partner), renderFirstBrokerLoginFlow(spec, partner), renderPostBrokerLoginFlow(spec, partner, isHome(partner)));
    if (isHome(partner)) out.push(renderHomeClientScope(spec, partner));
  }
  for (const edge of edges) {
    const home = clouds.get(edge.home) as CloudSpec;
    const partner = clouds.get(edge.partner) as CloudSpec;
    const homeMetadata = metadata[home.alias];
    if (!homeMetadata) throw new BrokerError('ERR_INTERNAL', `no identity provider metadata for home cloud ${home.alias}`, { details: { cloud: home.alias } });
    const groups = groupsReferenced(spec.policy, home.alias, partner.alias);
    const homeClient = renderHomeClient(spec, home, partner);
    out.push(
      homeClient,
      ...(isPartner(home) ? [renderHomeClientScopeLink(home, homeClient.name)] : []),
      renderPartnerIdentityProvider(spec, home, partner, homeMetadata),
      ...renderPartnerMappers(spec, home, partner, homeMetadata.protocol, groups),
      ...renderMirroredGroups(spec, home, partner, groups),
    );
  }
  return out;
}

/**
 * The objects whose content comes from home `homeAlias`'s metadata (the identity provider and its
 * mappers in each partner realm): while that metadata cannot be read they are neither written nor deleted.
 */
export function metadataDependentObjects(spec: FederationSpec, homeAlias: string, metadata: HomeMetadata): KeycloakObject[] {
  const clouds = new Map(spec.clouds.map((c) => [c.alias, c]));
  return trustEdges(spec).filter((e) => e.home === homeAlias).flatMap((edge) => {
    const home = clouds.get(edge.home) as CloudSpec;
    const partner = clouds.get(edge.partner) as CloudSpec;
    return [renderPartnerIdentityProvider(spec, home, partner, metadata),
      ...renderPartnerMappers(spec, home, partner, metadata.protocol, groupsReferenced(spec.policy, home.alias, partner.alias))];
  });
}

/** Stand-in metadata for a home whose metadata cannot be read; only used for objects that are then held back. */
export function placeholderMetadata(home: CloudSpec): HomeMetadata {
  const issuer = realmUrl(home.keycloak.url, home.keycloak.realm);
  return home.homeProtocol === 'saml'
    ? { protocol: 'saml', entityId: issuer, singleSignOnServiceUrl: `${issuer}/protocol/saml`, signingCertificates: [] }
    : { protocol: 'oidc', issuer, authorizationEndpoint: `${issuer}/protocol/openid-connect/auth`, tokenEndpoint: `${issuer}/protocol/openid-connect/token`, jwksUri: `${issuer}/protocol/openid-connect/certs` };
}

/** Home group paths that policy conditions on, for users of `home` with grants in `partner`. */
export function groupsReferenced(policy: readonly PolicyRule[], home: string, partner: string): string[] {
  const paths = new Set<string>();
  for (const rule of policy) {
    if (!ruleAppliesToHome(rule, home) || grantsIn(rule, partner).length === 0) continue;
    for (const p of [...(rule.when.groups?.any ?? []), ...(rule.when.groups?.all ?? [])]) paths.add(p);
  }
  return [...paths].sort();
}
