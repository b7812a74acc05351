// Explain: what does this person get, everywhere, and why (docs/design.md §4). The story:
//   1. find the federated subject: read the home user and their groups (or take raw token claims)
//   2. for every partner cloud that trusts the home: the downstream name and namespaced groups,
//   3. Keystone: the generated mapping evaluated like Keystone does, with the rule that matched,
//   4. Kubernetes: the cluster's RBAC as stored, with the bindings that grant the subject something.
// A Keystone whose capabilities cannot be read is explained as Zed would map, and the explanation
// says so with the error's code (`assumptions`).
import { BrokerError, isBrokerError, type ErrorCode } from '../core/errors.ts';
import { brokeredClaims, explainKeystone, type Claims, type KeystoneExplanation } from '../core/explain/keystone.ts';
import { bindingsFor, kubernetesIdentity, type KubernetesIdentity, type RbacBinding, type RbacPolicyRule } from '../core/explain/kubernetes.ts';
import { realmUrl } from '../core/federation/realm-url.ts';
import { downstreamGroup, downstreamUsername, homeUsernameOf } from '../core/naming.ts';
import type { PolicySubject } from '../core/subject.ts';
import { ZED_CAPABILITIES, type KeystoneCapabilities } from '../core/render/keystone/index.ts';
import type { FederationSpec } from '../core/federation/schema.ts';
import { trustEdges } from '../core/federation/trust.ts';
import type { HomeDirectoryPort, KeystoneAdminPort, KubernetesAdminPort } from '../ports.ts';

export interface ExplainDeps {
  homeDirectory(cloud: string): HomeDirectoryPort;
  keystone?(cloud: string): KeystoneAdminPort;
  kubernetes?(cloud: string, cluster: string): KubernetesAdminPort;
}

export interface ClusterExplanation {
  readonly cluster: string;
  readonly identity: KubernetesIdentity;
  readonly grants: readonly { readonly binding: RbacBinding; readonly namespace: string | null; readonly rules: readonly RbacPolicyRule[] }[];
}

/** Something explain could not read and assumed instead; `code` is the error that prevented it. */
export interface ExplainAssumption {
  readonly system: 'keystone';
  readonly cloud: string;
  readonly code: ErrorCode;
  readonly message: string;
  readonly assumed: string;
}

export interface PartnerExplanation {
  readonly cloud: string;
  readonly username: string;
  readonly groups: readonly string[];
  readonly keystone: KeystoneExplanation;
  readonly kubernetes: readonly ClusterExplanation[];
  readonly assumptions: readonly ExplainAssumption[];
}

export interface Explanation {
  readonly subject: PolicySubject;
  readonly partners: readonly PartnerExplanation[];
}

export async function explainSubject(spec: FederationSpec, home: string, username: string, deps: ExplainDeps): Promise<Explanation> {
  if (!spec.clouds.some((c) => c.alias === home)) {
    throw new BrokerError('ERR_SUBJECT_NOT_FOUND', `cloud ${home} is not in the spec`, { details: { cloud: home } });
  }
  const subject = await deps.homeDirectory(home).subject(username);
  if (!subject) throw new BrokerError('ERR_SUBJECT_NOT_FOUND', `no user "${username}" in the home realm of ${home}`, { details: { cloud: home, user: username } });
  return explainFederatedSubject(spec, subject, deps);
}

/** Raw claims of a partner realm's access token: the subject they describe, explained in the token's cloud only. */
export async function explainClaims(spec: FederationSpec, claims: Claims, deps: ExplainDeps): Promise<Explanation> {
  const target = spec.clouds.find((c) => realmUrl(c.keycloak.url, c.keycloak.realm) === claims['iss']);
  if (!target) throw new BrokerError('ERR_SUBJECT_NOT_FOUND', `the claims' issuer ${JSON.stringify(claims['iss'] ?? null)} is no cloud of the spec`, { details: {} });
  const subject = subjectFromClaims(spec, claims);
  const capabilities = await capabilitiesOf(spec, target.alias, deps);
  const keystone = explainKeystone(spec, claims, target.alias, capabilities.capabilities);
  const partner = subject ? await explainPartner(spec, subject, target.alias, deps) : undefined;
  return {
    subject: subject ?? { homeCloud: '', homeUsername: String(claims['preferred_username'] ?? ''), groups: [], attributes: {} },
    partners: [{ cloud: target.alias, username: partner?.username ?? String(claims['preferred_username'] ?? ''), groups: partner?.groups ?? [], keystone,
      kubernetes: partner?.kubernetes ?? [], assumptions: capabilities.assumptions }],
  };
}

async function explainFederatedSubject(spec: FederationSpec, subject: PolicySubject, deps: ExplainDeps): Promise<Explanation> {
  const partners = trustEdges(spec).filter((e) => e.home === subject.homeCloud).map((e) => e.partner);
  return { subject, partners: await Promise.all(partners.map((p) => explainPartner(spec, subject, p, deps))) };
}

async function explainPartner(spec: FederationSpec, subject: PolicySubject, partner: string, deps: ExplainDeps): Promise<PartnerExplanation> {
  const identity = kubernetesIdentity(spec, subject, partner);
  const cloud = spec.clouds.find((c) => c.alias === partner);
  const clusters = await Promise.all((deps.kubernetes && identity ? cloud?.kubernetes?.clusters ?? [] : []).map(async (cluster): Promise<ClusterExplanation> => {
    const snapshot = await (deps.kubernetes as NonNullable<ExplainDeps['kubernetes']>)(partner, cluster.name).readRbac();
    const grants = bindingsFor(snapshot, identity as KubernetesIdentity).map(({ binding, role }) =>
      ({ binding, namespace: binding.kind === 'RoleBinding' ? binding.namespace ?? null : null, rules: role?.rules ?? [] }));
    return { cluster: cluster.name, identity: identity as KubernetesIdentity, grants };
  }));
  const capabilities = await capabilitiesOf(spec, partner, deps);
  const keystone = explainKeystone(spec, brokeredClaims(spec, subject, partner), partner, capabilities.capabilities);
  return {
    cloud: partner,
    username: downstreamUsername(spec.naming, subject.homeCloud, subject.homeUsername),
    groups: subject.groups.map((g) => downstreamGroup(subject.homeCloud, g)),
    keystone,
    kubernetes: clusters,
    assumptions: capabilities.assumptions,
  };
}

/** The capabilities of the cloud's Keystone; when they cannot be read, Zed's, with the reason as an assumption. */
async function capabilitiesOf(spec: FederationSpec, cloud: string, deps: ExplainDeps): Promise<{ capabilities: KeystoneCapabilities; assumptions: ExplainAssumption[] }> {
  if (!deps.keystone || !spec.clouds.find((c) => c.alias === cloud)?.keystone) return { capabilities: ZED_CAPABILITIES, assumptions: [] };
  try {
    return { capabilities: await deps.keystone(cloud).capabilities(), assumptions: [] };
  } catch (error) {
    const code = isBrokerError(error) ? error.code : 'ERR_INTERNAL';
    const message = error instanceof Error ? error.message : String(error);
    return { capabilities: ZED_CAPABILITIES, assumptions: [{ system: 'keystone', cloud, code, message, assumed: ZED_CAPABILITIES.evidence }] };
  }
}

/**
 * A brokered token's claims back to the federated subject: home_cloud and home_sub, the home user name
 * behind preferred_username (per naming.username), and the mirrored "/<home>:<path>" groups.
 */
export function subjectFromClaims(spec: Pick<FederationSpec, 'naming'>, claims: Claims): PolicySubject | undefined {
  const home = claims['home_cloud'];
  const name = claims['preferred_username'];
  if (typeof home !== 'string' || typeof name !== 'string') return undefined;
  const homeUsername = homeUsernameOf(spec.naming, home, name);
  if (homeUsername === undefined) return undefined;
  const homeSub = claims['home_sub'];
  const groups = (Array.isArray(claims['groups']) ? claims['groups'] : []).filter((g): g is string => typeof g === 'string' && g.startsWith(`/${home}:/`));
  return { homeCloud: home, ...(typeof homeSub === 'string' && { homeSub }), homeUsername, groups: groups.map((g) => g.slice(home.length + 2)), attributes: {} };
}
