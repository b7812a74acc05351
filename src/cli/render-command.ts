// `fedbroker render kubernetes <spec> --cluster <name>`: prints what apply would write into a partner
// cluster's AuthenticationConfiguration file, for clusters whose control plane is not on the broker's
// disk (GitOps, Cluster API). `--format kubeadm-patch` wraps it in a KubeadmControlPlane patch.
// `fedbroker render horizon|keystone-apache <spec> --cloud <alias>`: what a cloud's Horizon and its
// Keystone's Apache need for WebSSO in the federation (no secret in either).
import { keycloakIssuerCaPem } from '../adapters/kubernetes/factory.ts';
import { BrokerError } from '../core/errors.ts';
import type { CloudSpec, FederationSpec } from '../core/federation/schema.ts';
import { renderHorizonSettings, renderKeystoneApacheWebSso } from '../core/render/horizon/index.ts';
import { renderAuthenticationConfig } from '../core/render/kubernetes/index.ts';
import { renderKubeadmControlPlanePatch } from '../core/render/kubernetes/kubeadm-patch.ts';
import type { ClusterSpec } from '../core/render/kubernetes/rbac.ts';
import { loadValidSpec } from './load.ts';
import { EXIT } from './output.ts';

export const RENDER_FORMATS = ['authentication-config', 'kubeadm-patch'] as const;
export type RenderFormat = (typeof RENDER_FORMATS)[number];

export interface RenderKubernetesOptions { cluster: string; cloud?: string; format?: string }

export async function renderKubernetesCommand(file: string, opts: RenderKubernetesOptions): Promise<number> {
  const format = renderFormatOf(opts.format);
  const loaded = await loadValidSpec(file, 'human');
  if ('exitCode' in loaded) return loaded.exitCode;
  const { cloud, cluster } = findCluster(loaded.spec, opts.cluster, opts.cloud);
  const config = renderAuthenticationConfig(loaded.spec, cloud, cluster, await keycloakIssuerCaPem(cloud, loaded.baseDir));
  process.stdout.write(format === 'kubeadm-patch' ? renderKubeadmControlPlanePatch(config) : config);
  return EXIT.OK;
}

export async function renderWebSsoCommand(what: 'horizon' | 'keystone-apache', file: string, cloud: string): Promise<number> {
  const loaded = await loadValidSpec(file, 'human');
  if ('exitCode' in loaded) return loaded.exitCode;
  process.stdout.write(what === 'horizon' ? renderHorizonSettings(loaded.spec, cloud) : renderKeystoneApacheWebSso(loaded.spec, cloud));
  return EXIT.OK;
}

function renderFormatOf(value: string | undefined): RenderFormat {
  if (value === undefined) return 'authentication-config';
  if ((RENDER_FORMATS as readonly string[]).includes(value)) return value as RenderFormat;
  throw new BrokerError('ERR_USAGE', `--format must be one of ${RENDER_FORMATS.join(', ')}, not "${value}"`, { details: { format: value } });
}

/** The one cluster of that name (in that cloud, when given); ERR_USAGE when there is none or more than one. */
export function findCluster(spec: FederationSpec, name: string, cloudAlias?: string): { cloud: CloudSpec; cluster: ClusterSpec } {
  const found = spec.clouds.filter((c) => cloudAlias === undefined || c.alias === cloudAlias)
    .flatMap((cloud) => (cloud.kubernetes?.clusters ?? []).filter((k) => k.name === name).map((cluster) => ({ cloud, cluster })));
  if (found.length === 1) return found[0]!;
  const where = cloudAlias ? ` in cloud ${cloudAlias}` : '';
  if (found.length === 0) throw new BrokerError('ERR_USAGE', `the spec has no Kubernetes cluster ${name}${where}`, { details: { cluster: name } });
  throw new BrokerError('ERR_USAGE', `clusters named ${name} are in clouds ${found.map((f) => f.cloud.alias).join(', ')}: pick one with --cloud`, { details: { cluster: name } });
}
