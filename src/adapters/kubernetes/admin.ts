// One Kubernetes cluster of one cloud, as the broker needs it (KubernetesAdminPort). Bindings are
// created with POST (an existing object is a conflict, never adopted), updated by server-side apply
// with the field manager `scs-federation-broker` (force: the broker owns them), deleted only with the
// uid observed. Namespaces are created when missing and never changed or deleted. The
// AuthenticationConfiguration file is handled when the adapter was given one.
import type { V1ClusterRole, V1ClusterRoleBinding, V1Role, V1RoleBinding, V1SubjectAccessReview } from '@kubernetes/client-node';
import { parse } from 'yaml';
import type { KubernetesIdentity as BrokerKubernetesIdentity, KubernetesRule } from '../../core/credentials.ts';
import { BrokerError } from '../../core/errors.ts';
import type { AccessRequest, KubernetesIdentity, RbacSnapshot } from '../../core/explain/kubernetes.ts';
import type { JsonValue } from '../../core/json.ts';
import type { Change } from '../../core/plan/diff.ts';
import type { DesiredObject, ObjectAddress, ObservedObject } from '../../core/plan/model.ts';
import { authenticationConfigDigest } from '../../core/render/kubernetes/authn-config.ts';
import { isKubernetesKind } from '../../core/render/kubernetes/model.ts';
import { CREATED_BY_KEY, FEDERATION_ANNOTATION, managedSelector } from '../../core/render/kubernetes/names.ts';
import { MANAGED_BY_VALUE } from '../../core/managed.ts';
import type { ApplyResult, KubernetesAdminPort, KubernetesAuthenticationConfigPort } from '../../ports.ts';
import { bindingManifest, bindingPaths, isBindingKind, LIST_PATHS, namespacePath, observedBinding, rbacBinding, rbacRole, type BindingKind } from './objects.ts';
import type { KubeRest } from './rest.ts';

export interface KubernetesAdminOptions {
  readonly rest: KubeRest;
  /** The cluster's authentication config file, when the broker writes it. */
  readonly authenticationConfig?: KubernetesAuthenticationConfigPort;
  /** How long apply waits for the apiserver to load a new authentication config (0: do not wait). */
  readonly reloadTimeoutMs?: number;
  readonly close?: () => Promise<void>;
}

export class KubernetesAdmin implements KubernetesAdminPort {
  readonly cloud: string;
  readonly cluster: string;
  readonly #rest: KubeRest;
  readonly #authn: KubernetesAuthenticationConfigPort | undefined;
  readonly #reloadTimeoutMs: number;
  readonly #close: (() => Promise<void>) | undefined;

  constructor(options: KubernetesAdminOptions) {
    this.#rest = options.rest;
    this.cloud = options.rest.cloud;
    this.cluster = options.rest.cluster;
    this.#authn = options.authenticationConfig;
    this.#reloadTimeoutMs = options.reloadTimeoutMs ?? 60_000;
    this.#close = options.close;
  }

  async observe(scope: string, federation: string, desired: readonly DesiredObject[]): Promise<ObservedObject[]> {
    this.#requireScope(scope);
    const here = desired.filter((d) => d.system === 'kubernetes' && d.cloud === this.cloud && d.scope === scope);
    const out: ObservedObject[] = [];
    for (const kind of ['ClusterRoleBinding', 'RoleBinding'] as const) {
      const listed = await this.#rest.list<V1RoleBinding>(LIST_PATHS[kind], { labelSelector: managedSelector(federation) }, `${kind}s`);
      const seen = new Set<string>();
      for (const b of listed) {
        const o = observedBinding(this.cloud, this.cluster, kind, b, federation);
        seen.add(o.name);
        if (o.managed) out.push(o);
      }
      for (const d of here.filter((x) => x.kind === kind && !seen.has(x.name))) {
        const found = await this.#rest.find<V1RoleBinding>(bindingPaths(kind, d.name).item, `${kind} ${d.name}`);
        if (found) out.push(observedBinding(this.cloud, this.cluster, kind, found, federation));
      }
    }
    for (const d of here.filter((x) => x.kind === 'Namespace')) {
      const ns = await this.#rest.find<{ metadata?: { uid?: string } }>(namespacePath(d.name), `Namespace ${d.name}`);
      if (ns) out.push({ ...address(d), fields: {}, managed: false, ...(ns.metadata?.uid && { id: ns.metadata.uid }) });
    }
    const authn = here.find((x) => x.kind === 'AuthenticationConfiguration');
    if (authn) {
      const content = await this.#authnFile(authn).read();
      if (content !== undefined) out.push({ ...address(authn), managed: false, fields: authnFields(content) });
    }
    return out;
  }

  async apply(change: Change, writeOnly: Readonly<Record<string, JsonValue>>): Promise<ApplyResult> {
    const subject = change.desired ?? change.observed;
    if (change.action === 'noop' || !subject) return;
    this.#check(subject);
    if (change.action === 'conflict') {
      throw new BrokerError('ERR_CONFLICT', change.reason ?? `${change.key} is not the broker's to change`, { details: this.#details(subject) });
    }
    const kind = subject.kind as Parameters<typeof isBindingKind>[0];
    if (isBindingKind(kind)) return this.#applyBinding(change, kind);
    if (kind === 'Namespace') return this.#applyNamespace(change, writeOnly);
    return this.#applyAuthn(change, writeOnly);
  }

  async readRbac(): Promise<RbacSnapshot> {
    const [clusterRoles, roles, clusterBindings, bindings] = await Promise.all([
      this.#rest.list<V1ClusterRole>('/apis/rbac.authorization.k8s.io/v1/clusterroles', {}, 'ClusterRoles'),
      this.#rest.list<V1Role>('/apis/rbac.authorization.k8s.io/v1/roles', {}, 'Roles'),
      this.#rest.list<V1ClusterRoleBinding>(LIST_PATHS.ClusterRoleBinding, {}, 'ClusterRoleBindings'),
      this.#rest.list<V1RoleBinding>(LIST_PATHS.RoleBinding, {}, 'RoleBindings'),
    ]);
    return {
      roles: [...clusterRoles.map((r) => rbacRole('ClusterRole', r)), ...roles.map((r) => rbacRole('Role', r))],
      bindings: [...clusterBindings.map((b) => rbacBinding('ClusterRoleBinding', b)), ...bindings.map((b) => rbacBinding('RoleBinding', b))],
    };
  }

  async accessReview(identity: KubernetesIdentity, request: AccessRequest): Promise<{ allowed: boolean; reason?: string }> {
    const review = {
      apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview',
      spec: {
        user: identity.username, groups: [...identity.groups],
        resourceAttributes: {
          verb: request.verb, resource: request.resource, group: request.group ?? '',
          ...(request.subresource !== undefined && { subresource: request.subresource }),
          ...(request.name !== undefined && { name: request.name }),
          ...(request.namespace !== undefined && { namespace: request.namespace }),
        },
      },
    };
    const answer = await this.#rest.call('/apis/authorization.k8s.io/v1/subjectaccessreviews', { method: 'POST', body: review, object: 'SubjectAccessReview' });
    const status = (answer.body as V1SubjectAccessReview).status;
    return { allowed: status?.allowed === true, ...(status?.reason && { reason: status.reason }) };
  }

  async ownIdentity(): Promise<BrokerKubernetesIdentity> {
    const who = await this.#rest.call('/apis/authentication.k8s.io/v1/selfsubjectreviews', {
      method: 'POST', body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' }, object: 'SelfSubjectReview' });
    const user = (who.body as { status?: { userInfo?: { username?: string; groups?: string[] } } }).status?.userInfo ?? {};
    // Rules in "default" include every cluster-wide one (ClusterRoleBindings).
    const rules = await this.#rest.call('/apis/authorization.k8s.io/v1/selfsubjectrulesreviews', {
      method: 'POST', body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectRulesReview', spec: { namespace: 'default' } }, object: 'SelfSubjectRulesReview' });
    const status = (rules.body as { status?: { resourceRules?: KubernetesRule[]; nonResourceRules?: KubernetesRule[] } }).status ?? {};
    return { system: 'kubernetes', cluster: this.cluster, username: user.username ?? '(unknown)', groups: user.groups ?? [], rules: status.resourceRules ?? [] };
  }

  async close(): Promise<void> {
    await this.#close?.();
  }

  async #applyBinding(change: Change, kind: BindingKind): Promise<void> {
    if (change.action === 'delete') {
      const o = required(change.observed, change);
      if (!o.managed) throw new BrokerError('ERR_CONFLICT', `${kind} ${o.name} in cluster ${this.cluster} is not the broker's; it is never deleted`, { details: this.#details(o) });
      return this.#rest.remove(bindingPaths(kind, o.name).item, `${kind} ${o.name}`, o.id);
    }
    const d = required(change.desired, change);
    const paths = bindingPaths(kind, d.name);
    if (change.action === 'create') {
      await this.#rest.create(paths.collection, bindingManifest(d), `${kind} ${d.name}`);
      return;
    }
    if (change.observed && !change.observed.managed) {
      throw new BrokerError('ERR_CONFLICT', `${kind} ${d.name} in cluster ${this.cluster} is not the broker's; it is never changed`, { details: this.#details(d) });
    }
    await this.#rest.apply(paths.item, bindingManifest(d), `${kind} ${d.name}`);
  }

  async #applyNamespace(change: Change, writeOnly: Readonly<Record<string, JsonValue>>): Promise<void> {
    if (change.action === 'update') return; // the broker controls no field of a namespace
    if (change.action === 'delete') {
      throw new BrokerError('ERR_KUBERNETES_UNSUPPORTED_KIND', `namespaces are never deleted by the broker (namespace ${change.observed?.name} in cluster ${this.cluster})`, { details: this.#details(change.observed) });
    }
    const d = required(change.desired, change);
    const federation = writeOnly['federation'] ?? d.writeOnly?.['federation'];
    await this.#rest.create('/api/v1/namespaces', {
      apiVersion: 'v1', kind: 'Namespace',
      metadata: { name: d.name, labels: { [CREATED_BY_KEY]: MANAGED_BY_VALUE }, ...(typeof federation === 'string' && { annotations: { [FEDERATION_ANNOTATION]: federation } }) },
    }, `Namespace ${d.name}`);
  }

  /** Writes the file; the apiserver's reload is confirmed later (clusters reload in parallel during one apply). */
  async #applyAuthn(change: Change, writeOnly: Readonly<Record<string, JsonValue>>): Promise<ApplyResult> {
    if (change.action === 'delete') {
      throw new BrokerError('ERR_KUBERNETES_UNSUPPORTED_KIND', `the authentication config of cluster ${this.cluster} is never deleted by the broker`, { details: this.#details(change.observed) });
    }
    const d = required(change.desired, change);
    const content = writeOnly['content'] ?? d.writeOnly?.['content'];
    if (typeof content !== 'string') throw new BrokerError('ERR_INTERNAL', `no content for the authentication config of cluster ${this.cluster}`, { details: this.#details(d) });
    const file = this.#authnFile(d);
    if (await file.write(content) && this.#reloadTimeoutMs > 0) {
      return { confirmed: file.waitForReload(content, this.#reloadTimeoutMs).then(() => undefined) };
    }
    return undefined;
  }

  #authnFile(d: ObjectAddress): KubernetesAuthenticationConfigPort {
    if (this.#authn) return this.#authn;
    throw new BrokerError('ERR_CONFIG_INVALID', `cluster ${this.cluster} of cloud ${this.cloud} has no authentication config file the broker may write`, { details: this.#details(d) });
  }

  #requireScope(scope: string): void {
    if (scope !== this.cluster) {
      throw new BrokerError('ERR_INTERNAL', `scope "${scope}" sent to the Kubernetes adapter of cluster ${this.cluster} (cloud ${this.cloud})`, { details: { cloud: this.cloud, cluster: this.cluster, scope } });
    }
  }

  #check(a: ObjectAddress): void {
    if (a.system !== 'kubernetes' || a.cloud !== this.cloud || a.scope !== this.cluster || !isKubernetesKind(a.kind)) {
      throw new BrokerError('ERR_KUBERNETES_UNSUPPORTED_KIND', `change for ${a.system}/${a.cloud}/${a.scope}/${a.kind} sent to the Kubernetes adapter of cluster ${this.cluster} (cloud ${this.cloud})`, { details: this.#details(a) });
    }
  }

  #details(a: ObjectAddress | undefined): Record<string, unknown> {
    return { cloud: this.cloud, cluster: this.cluster, ...(a && { object: `${a.kind} ${a.name}` }) };
  }
}

function address(d: ObjectAddress): ObjectAddress {
  return { system: d.system, cloud: d.cloud, scope: d.scope, kind: d.kind, name: d.name };
}

/** What the broker compares of an authentication config file (see authenticationConfigObject). */
export function authnFields(content: string): Record<string, JsonValue> {
  let issuer: { url?: unknown; audiences?: unknown } | undefined;
  try {
    issuer = (parse(content) as { jwt?: { issuer?: typeof issuer }[] } | null)?.jwt?.[0]?.issuer;
  } catch {
    issuer = undefined; // unreadable: the digest differs anyway, so the plan rewrites it
  }
  const audiences = Array.isArray(issuer?.audiences) ? issuer.audiences.map(String) : [];
  return { issuer: typeof issuer?.url === 'string' ? issuer.url : null, audiences, digest: authenticationConfigDigest(content) };
}

function required<T>(value: T | undefined, change: Change): T {
  if (value === undefined) throw new BrokerError('ERR_INTERNAL', `change ${change.action} of ${change.key} lacks its object`, { details: { key: change.key } });
  return value;
}
