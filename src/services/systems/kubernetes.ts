// Kubernetes needs nothing read before rendering: the issuer CAs come from files, read when composed.
import type { KubernetesRenderOptions } from '../../core/render/kubernetes/index.ts';
import { KUBERNETES_SYSTEM } from '../../core/systems/kubernetes.ts';
import type { KubernetesAdminPort } from '../../ports.ts';
import { managedSystem, type ManagedSystem } from './model.ts';

export function kubernetesSystem(admin: (cloud: string, cluster: string) => KubernetesAdminPort, options: KubernetesRenderOptions = {}): ManagedSystem {
  return managedSystem(KUBERNETES_SYSTEM, options, admin);
}
