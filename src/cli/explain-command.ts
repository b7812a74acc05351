// `fedbroker explain <spec> <home>:<user>` or `--claims <file>`: what a person gets in every partner
// cloud and why: downstream name and groups, Keystone projects/roles with the generated rule that
// matched, Kubernetes permissions with the binding that grants them.
import { createKeycloakHomeDirectory } from '../adapters/keycloak/home-directory.ts';
import { createKeystoneAdmin } from '../adapters/keystone/factory.ts';
import { createKubernetesAdmin } from '../adapters/kubernetes/factory.ts';
import { BrokerError } from '../core/errors.ts';
import { parseSubjectArgument, requireHomeCloudIn } from './subject-arg.ts';
import type { FederationSpec } from '../core/federation/schema.ts';
import type { HomeDirectoryPort, KeystoneAdminPort, KubernetesAdminPort } from '../ports.ts';
import { explainClaims, explainSubject, type ExplainDeps, type Explanation } from '../services/explain.ts';
import { loadValidSpec } from './load.ts';
import { printExplanation, readClaims } from './explain-output.ts';
import { EXIT, type OutputFormat } from './output.ts';

export { formatExplanation } from './explain-output.ts';

export async function explainCommand(file: string, who: string | undefined, opts: { output: OutputFormat; claims?: string }): Promise<number> {
  // Arguments are checked before anything is composed: a usage error never depends on the clouds.
  const parsed = opts.claims ? undefined : parseSubjectArgument(who, ', or pass --claims <file>');
  const loaded = await loadValidSpec(file, opts.output);
  if ('exitCode' in loaded) return loaded.exitCode;
  const subject = parsed && requireHomeCloudIn(loaded.spec, parsed);
  const claims = opts.claims ? await readClaims(opts.claims) : undefined;
  const deps = await composeExplain(loaded.spec, loaded.baseDir);
  const explanation: Explanation = subject
    ? await explainSubject(loaded.spec, subject.homeCloud, subject.username, deps)
    : await explainClaims(loaded.spec, claims!, deps);
  printExplanation(explanation, opts.output);
  return EXIT.OK;
}


export async function composeExplain(spec: FederationSpec, baseDir: string): Promise<ExplainDeps> {
  const directories = new Map<string, HomeDirectoryPort>();
  const keystones = new Map<string, KeystoneAdminPort>();
  const clusters = new Map<string, KubernetesAdminPort>();
  for (const cloud of spec.clouds) {
    directories.set(cloud.alias, await createKeycloakHomeDirectory(cloud, baseDir));
    if (cloud.keystone) keystones.set(cloud.alias, await createKeystoneAdmin(cloud, baseDir));
    for (const cluster of cloud.kubernetes?.clusters ?? []) clusters.set(`${cloud.alias}/${cluster.name}`, await createKubernetesAdmin(cloud, cluster, baseDir));
  }
  const get = <T>(map: Map<string, T>, key: string): T => {
    const value = map.get(key);
    if (!value) throw new BrokerError('ERR_INTERNAL', `no adapter for ${key}`, { details: { key } });
    return value;
  };
  return {
    homeDirectory: (cloud) => get(directories, cloud),
    keystone: (cloud) => get(keystones, cloud),
    kubernetes: (cloud, cluster) => get(clusters, `${cloud}/${cluster}`),
  };
}
