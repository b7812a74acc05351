// An in-memory Kubernetes cluster with the semantics of the real adapter (KubernetesAdminPort):
// bindings by kind and name carrying labels, POST-like creates that meet conflicts, apply-like
// updates, deletes with a uid precondition, namespaces that are created but never deleted, and an
// in-memory authentication config. RBAC answers come from the pure explain module, over a small
// static table of the built-in roles (FAKE_CLUSTER_ROLES). `writes` counts create/update/delete calls.
import type { KubernetesIdentity as BrokerKubernetesIdentity } from '../../core/credentials.ts';
import { fakeKubernetesIdentity } from './identities.ts';
import { BrokerError } from '../../core/errors.ts';
import { can, type AccessRequest, type KubernetesIdentity, type RbacBinding, type RbacRole, type RbacSnapshot } from '../../core/explain/kubernetes.ts';
import type { JsonValue } from '../../core/json.ts';
import type { Change } from '../../core/plan/diff.ts';
import type { DesiredObject, ObservedObject } from '../../core/plan/model.ts';
import { splitObjectName, type KubernetesKind } from '../../core/render/kubernetes/model.ts';
import { isManagedObject, RULE_ANNOTATION } from '../../core/render/kubernetes/names.ts';
import type { KubernetesAdminPort } from '../../ports.ts';
import { authnFields } from '../kubernetes/admin.ts';

type JsonObject = { [key: string]: JsonValue };
interface Stored { kind: 'RoleBinding' | 'ClusterRoleBinding'; name: string; fields: JsonObject; uid: string }
interface Meta { labels?: Record<string, string>; annotations?: Record<string, string> }

const read = ['get', 'list', 'watch'];
const write = ['create', 'update', 'patch', 'delete', 'deletecollection'];
/** What the built-in ClusterRoles allow for common resources (abridged from Kubernetes' bootstrap policy). */
export const FAKE_CLUSTER_ROLES: readonly RbacRole[] = [
  { kind: 'ClusterRole', name: 'view', rules: [{ verbs: read, apiGroups: [''], resources: ['pods', 'pods/log', 'services', 'configmaps', 'endpoints', 'persistentvolumeclaims'] }, { verbs: read, apiGroups: ['apps'], resources: ['deployments', 'replicasets', 'statefulsets', 'daemonsets'] }] },
  { kind: 'ClusterRole', name: 'edit', rules: [{ verbs: [...read, ...write], apiGroups: [''], resources: ['pods', 'services', 'configmaps', 'secrets', 'persistentvolumeclaims'] }, { verbs: [...read, ...write], apiGroups: ['apps'], resources: ['deployments', 'replicasets', 'statefulsets', 'daemonsets'] }, { verbs: read, apiGroups: [''], resources: ['pods/log', 'endpoints'] }] },
  { kind: 'ClusterRole', name: 'admin', rules: [{ verbs: [...read, ...write], apiGroups: ['', 'apps', 'rbac.authorization.k8s.io'], resources: ['pods', 'services', 'configmaps', 'secrets', 'deployments', 'roles', 'rolebindings'] }] },
  { kind: 'ClusterRole', name: 'cluster-admin', rules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }] },
];

export interface FakeKubernetesOptions {
  readonly cloud: string;
  readonly cluster: string;
  readonly namespaces?: readonly string[];
  readonly roles?: readonly RbacRole[];
  /** Whether the broker may write this cluster's authentication config (else such objects are refused). */
  readonly authenticationConfig?: boolean;
  failAfterWrites?: number;
}

export class FakeKubernetesAdmin implements KubernetesAdminPort {
  readonly cloud: string;
  readonly cluster: string;
  writes = 0;
  failAfterWrites: number | undefined;
  /** The authentication config "file" (undefined: missing). */
  authenticationConfig: string | undefined;
  readonly #authn: boolean;
  readonly #objects = new Map<string, Stored>();
  readonly #namespaces: Set<string>;
  readonly #roles: RbacRole[];
  #uids = 0;
  /** Who the broker acts as here (default: the ServiceAccount bound to the broker's ClusterRole). */
  identity: BrokerKubernetesIdentity;

  constructor(options: FakeKubernetesOptions) {
    this.cloud = options.cloud;
    this.cluster = options.cluster;
    this.failAfterWrites = options.failAfterWrites;
    this.identity = fakeKubernetesIdentity(options.cluster);
    this.#authn = options.authenticationConfig ?? false;
    this.#namespaces = new Set(options.namespaces ?? ['default', 'kube-system', 'kube-public']);
    this.#roles = [...(options.roles ?? FAKE_CLUSTER_ROLES)];
  }

  /** Puts a binding in place as if someone else had made it (no write counted). */
  seed(kind: Stored['kind'], name: string, fields: JsonObject): void {
    this.#objects.set(`${kind}/${name}`, { kind, name, fields: structuredClone(fields), uid: this.#uid() });
  }

  /** Removes a binding whatever its labels (what an admin could do by hand). */
  unseed(kind: Stored['kind'], name: string): void {
    this.#objects.delete(`${kind}/${name}`);
  }

  hasNamespace(name: string): boolean {
    return this.#namespaces.has(name);
  }

  async ownIdentity(): Promise<BrokerKubernetesIdentity> {
    return this.identity;
  }

  async observe(scope: string, federation: string, desired: readonly DesiredObject[]): Promise<ObservedObject[]> {
    if (scope !== this.cluster) throw new BrokerError('ERR_INTERNAL', `scope "${scope}" sent to the fake cluster ${this.cluster}`, { details: { cluster: this.cluster, scope } });
    const wanted = new Set(desired.filter((d) => d.system === 'kubernetes' && d.cloud === this.cloud && d.scope === scope).map((d) => `${d.kind}/${d.name}`));
    const out: ObservedObject[] = [];
    const base = (kind: string, name: string) => ({ system: 'kubernetes' as const, cloud: this.cloud, scope: this.cluster, kind, name });
    for (const [key, o] of this.#objects) {
      const managed = isManagedObject(o.fields['metadata'] as Meta, federation);
      if (managed || wanted.has(key)) out.push({ ...base(o.kind, o.name), fields: structuredClone(o.fields), managed, id: o.uid });
    }
    for (const key of wanted) {
      const [kind, name] = [key.slice(0, key.indexOf('/')), key.slice(key.indexOf('/') + 1)];
      if (kind === 'Namespace' && this.#namespaces.has(name)) out.push({ ...base(kind, name), fields: {}, managed: false });
      if (kind === 'AuthenticationConfiguration') {
        if (!this.#authn) throw new BrokerError('ERR_CONFIG_INVALID', `cluster ${this.cluster} has no authentication config file the broker may write`, { details: { cluster: this.cluster } });
        if (this.authenticationConfig !== undefined) out.push({ ...base(kind, name), managed: false, fields: authnFields(this.authenticationConfig) });
      }
    }
    return out;
  }

  async apply(change: Change, writeOnly: Readonly<Record<string, JsonValue>>): Promise<void> {
    const subject = change.desired ?? change.observed;
    if (change.action === 'noop' || !subject) return;
    if (change.action === 'conflict') throw new BrokerError('ERR_CONFLICT', change.reason ?? 'conflict', { details: { key: change.key } });
    if (subject.system !== 'kubernetes' || subject.cloud !== this.cloud || subject.scope !== this.cluster) {
      throw new BrokerError('ERR_KUBERNETES_UNSUPPORTED_KIND', `change for ${change.key} sent to the fake cluster ${this.cluster}`, { details: { key: change.key } });
    }
    const kind = subject.kind as KubernetesKind;
    if (kind === 'Namespace') {
      if (change.action === 'delete') throw new BrokerError('ERR_KUBERNETES_UNSUPPORTED_KIND', 'namespaces are never deleted by the broker', { details: { key: change.key } });
      if (change.action === 'update') return;
      this.#countWrite();
      if (this.#namespaces.has(subject.name)) throw new BrokerError('ERR_CONFLICT', `namespace ${subject.name} exists`, { details: { key: change.key } });
      this.#namespaces.add(subject.name);
      return;
    }
    if (kind === 'AuthenticationConfiguration') {
      if (change.action === 'delete') throw new BrokerError('ERR_KUBERNETES_UNSUPPORTED_KIND', 'the authentication config is never deleted', { details: { key: change.key } });
      const content = writeOnly['content'] ?? change.desired?.writeOnly?.['content'];
      if (typeof content !== 'string') throw new BrokerError('ERR_INTERNAL', 'no authentication config content', { details: { key: change.key } });
      this.#countWrite();
      this.authenticationConfig = content;
      return;
    }
    return this.#applyBinding(change, kind as Stored['kind']);
  }

  #applyBinding(change: Change, kind: Stored['kind']): void {
    const key = (name: string) => `${kind}/${name}`;
    if (change.action === 'delete') {
      const o = change.observed as ObservedObject;
      if (!o.managed) throw new BrokerError('ERR_CONFLICT', `${kind} ${o.name} is not the broker's`, { details: { key: change.key } });
      this.#countWrite();
      const stored = this.#objects.get(key(o.name));
      if (stored && o.id !== undefined && stored.uid !== o.id) throw new BrokerError('ERR_CONFLICT', `${kind} ${o.name} was replaced since it was observed`, { details: { key: change.key } });
      this.#objects.delete(key(o.name));
      return;
    }
    const d = change.desired as DesiredObject;
    const { namespace } = splitObjectName(kind, d.name);
    const existing = this.#objects.get(key(d.name));
    if (change.action === 'update' && change.observed && !change.observed.managed) throw new BrokerError('ERR_CONFLICT', `${kind} ${d.name} is not the broker's`, { details: { key: change.key } });
    this.#countWrite();
    if (namespace !== undefined && !this.#namespaces.has(namespace)) throw new BrokerError('ERR_NOT_FOUND', `namespace ${namespace} does not exist`, { details: { key: change.key } });
    if (change.action === 'create' && existing) throw new BrokerError('ERR_CONFLICT', `${kind} ${d.name} exists`, { details: { key: change.key } });
    if (existing && JSON.stringify(existing.fields['roleRef']) !== JSON.stringify(d.fields['roleRef'])) {
      throw new BrokerError('ERR_KUBERNETES_API', `${kind} ${d.name}: roleRef cannot be changed`, { details: { key: change.key } });
    }
    this.#objects.set(key(d.name), { kind, name: d.name, fields: structuredClone(d.fields) as JsonObject, uid: existing?.uid ?? this.#uid() });
  }

  async readRbac(): Promise<RbacSnapshot> {
    const bindings = [...this.#objects.values()].map((o): RbacBinding => {
      const { namespace, name } = splitObjectName(o.kind, o.name);
      const f = o.fields as unknown as { roleRef: RbacBinding['roleRef']; subjects?: RbacBinding['subjects']; metadata?: Meta };
      const rule = f.metadata?.annotations?.[RULE_ANNOTATION];
      return { kind: o.kind, name, ...(namespace !== undefined && { namespace }), roleRef: { kind: f.roleRef.kind, name: f.roleRef.name }, subjects: f.subjects ?? [], ...(rule !== undefined && { policyRule: rule }) };
    });
    return { roles: [...this.#roles], bindings };
  }

  async accessReview(identity: KubernetesIdentity, request: AccessRequest): Promise<{ allowed: boolean }> {
    return { allowed: can(await this.readRbac(), identity, request).allowed };
  }

  #countWrite(): void {
    if (this.failAfterWrites !== undefined && this.writes >= this.failAfterWrites) {
      throw new BrokerError('ERR_KUBERNETES_API', `fake cluster ${this.cluster}: injected failure after ${this.failAfterWrites} writes`, { details: { cluster: this.cluster } });
    }
    this.writes += 1;
  }

  #uid(): string {
    this.#uids += 1;
    return `fake-uid-${this.#uids}`;
  }
}
