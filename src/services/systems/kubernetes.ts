// Kubernetes' I/O half: the issuer CAs come from files, read when composed; before a cluster gets a
// cluster-wide binding, its live roles are read and judged by effect (custom and aggregated roles are
// unknown to validation), and a privileged one fails the plan.
import { BrokerError } from '../../core/errors.ts';
import { isClusterWideBinding, liveBindingRefusals, type LiveBindingRefusal } from '../../core/policy/kubernetes-live-roles.ts';
import type { KubernetesRenderOptions } from '../../core/render/kubernetes/index.ts';
import { KUBERNETES_SYSTEM } from '../../core/systems/kubernetes.ts';
import type { DesiredObject } from '../../core/plan/model.ts';
import type { KubernetesAdminPort } from '../../ports.ts';
import type { ManagedSystem, PlanContext } from './model.ts';

export function kubernetesSystem(admin: (cloud: string, cluster: string) => KubernetesAdminPort, options: KubernetesRenderOptions = {}): ManagedSystem {
  return {
    description: KUBERNETES_SYSTEM,
    render: async (context) => {
      const desired = KUBERNETES_SYSTEM.render(context.spec, options);
      refuse(await judgeLiveRoles(context, desired, admin));
      return { desired };
    },
    adapter: admin,
    // Each cluster has its own token.
    ownIdentities: (cloud) => Promise.all((cloud.kubernetes?.clusters ?? []).map(({ name }) =>
      admin(cloud.alias, name).ownIdentity().then((identity) => ({ scope: name, identity }), (error: unknown) => ({ scope: name, error })))),
  };
}

/** Reads the RBAC of every cluster that would get a cluster-wide binding; an unreadable one is unreachable. */
async function judgeLiveRoles({ spec, unreachable }: PlanContext, desired: readonly DesiredObject[],
  admin: (cloud: string, cluster: string) => KubernetesAdminPort): Promise<LiveBindingRefusal[]> {
  const clusters = new Map<string, DesiredObject[]>();
  for (const d of desired) {
    if (d.system !== 'kubernetes') continue;
    const key = JSON.stringify([d.cloud, d.scope]);
    clusters.set(key, [...(clusters.get(key) ?? []), d]);
  }
  const judged = await Promise.all([...clusters.entries()].map(async ([key, objects]) => {
    if (!objects.some(isClusterWideBinding)) return [];
    const [cloud, cluster] = JSON.parse(key) as [string, string];
    try {
      return liveBindingRefusals(spec, objects, await admin(cloud, cluster).readRbac());
    } catch (error) {
      unreachable.push({ system: KUBERNETES_SYSTEM.name, cloud, part: 'system', scope: cluster, error });
      return [];
    }
  }));
  return judged.flat();
}

function refuse(refusals: readonly LiveBindingRefusal[]): void {
  const first = refusals[0];
  if (!first) return;
  const all = refusals.map((r) => `policy rule "${r.rule}" binds ${r.roleKind} "${r.role}"${r.namespace === undefined ? ' cluster-wide' : ` in ${r.namespace}`} in cluster ${r.cluster} of ${r.cloud}: ${r.reason}`);
  throw new BrokerError('ERR_POLICY_PRIVILEGED', `the plan refuses ${refusals.length === 1 ? 'a binding' : `${refusals.length} bindings`} that would be privileged in effect: ${all.join('; ')}`, {
    details: { rule: first.rule, role: first.role, roleKind: first.roleKind, cloud: first.cloud, cluster: first.cluster, refusal: first.kind, refusals: refusals.map(({ reason: _r, ...rest }) => rest) },
  });
}
