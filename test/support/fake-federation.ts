// The demo federation over the fakes (src/adapters/fakes): every cloud's Keycloak, Keystone and
// clusters in memory, composed into the use cases' dependencies like src/cli/compose.ts does for
// the real adapters. For use-case tests that run in seconds.
import { FakeKeycloakAdmin } from '../../src/adapters/fakes/keycloak.ts';
import { FakeKeystoneAdmin } from '../../src/adapters/fakes/keystone.ts';
import { FAKE_CLUSTER_ROLES, FakeKubernetesAdmin } from '../../src/adapters/fakes/kubernetes.ts';
import type { RbacRole } from '../../src/core/explain/kubernetes.ts';
import { BrokerError } from '../../src/core/errors.ts';
import type { CloudSpec, FederationSpec } from '../../src/core/federation/schema.ts';
import { placeholderMetadata } from '../../src/core/render/keycloak/index.ts';
import type { KeystoneCapabilities } from '../../src/core/render/keystone/index.ts';
import { clusterKey } from '../../src/core/render/kubernetes/index.ts';
import type { ManagedSystemPort } from '../../src/ports.ts';
import type { OnboardingDeps } from '../../src/services/onboarding.ts';
import { keycloakSystem } from '../../src/services/systems/keycloak.ts';
import { keystoneSystem } from '../../src/services/systems/keystone.ts';
import { kubernetesSystem } from '../../src/services/systems/kubernetes.ts';
import { exampleSpec } from './example-federation.ts';

export interface FakeFederationOptions {
  /** Clients every realm has from the start (default: the spec's audiences, openstack and kubernetes). */
  readonly realmClients?: readonly string[];
  readonly keystoneCapabilities?: KeystoneCapabilities;
  /** Roles every cluster stores besides the built-in ones (custom roles, or a built-in one as aggregated there). */
  readonly kubernetesRoles?: readonly RbacRole[];
}

export interface FakeFederation {
  readonly spec: FederationSpec;
  readonly deps: OnboardingDeps;
  readonly keycloak: ReadonlyMap<string, FakeKeycloakAdmin>;
  readonly keystone: ReadonlyMap<string, FakeKeystoneAdmin>;
  /** By clusterKey(cloud, cluster). */
  readonly kubernetes: ReadonlyMap<string, FakeKubernetesAdmin>;
  /** Parts that fail every call while named here: "keycloak:<cloud>", "keystone:<cloud>", "kubernetes:<cloud>", "metadata:<cloud>". */
  readonly down: Set<string>;
  /** Writes of every fake, all systems together. */
  writes(): number;
}

export function fakeFederation(spec: FederationSpec = exampleSpec(), options: FakeFederationOptions = {}): FakeFederation {
  const clients = options.realmClients ?? ['openstack', 'kubernetes'];
  const keycloak = new Map(spec.clouds.map((c) => [c.alias, new FakeKeycloakAdmin({ cloud: c.alias, realms: { [c.keycloak.realm]: clients } })]));
  const keystone = new Map(spec.clouds.filter((c) => c.keystone).map((c) => [c.alias, new FakeKeystoneAdmin({ cloud: c.alias, ...(options.keystoneCapabilities && { capabilities: options.keystoneCapabilities }) })]));
  const kubernetes = new Map(spec.clouds.flatMap((c) => (c.kubernetes?.clusters ?? []).map((cluster) =>
    [clusterKey(c.alias, cluster.name), new FakeKubernetesAdmin({ cloud: c.alias, cluster: cluster.name, authenticationConfig: !!cluster.authenticationConfigFile, roles: withRoles(options.kubernetesRoles ?? []) })] as const)));
  const authenticationConfig = Object.fromEntries(spec.clouds.flatMap((c) => (c.kubernetes?.clusters ?? [])
    .filter((cluster) => cluster.authenticationConfigFile).map((cluster) => [clusterKey(c.alias, cluster.name), {}])));
  const down = new Set<string>();
  const guarded = <T extends object>(port: T, part: string): T => new Proxy(port, {
    get: (target, prop, receiver) => {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => (down.has(part) ? Promise.reject(outage(part)) : value.apply(target, args));
    },
  });
  const deps: OnboardingDeps = { systems: [
    keycloakSystem({
      admin: (cloud) => guarded(found(keycloak, cloud), `keycloak:${cloud}`),
      homeMetadata: { read: async (cloud: CloudSpec) => {
        if (down.has(`metadata:${cloud.alias}`)) throw outage(`metadata:${cloud.alias}`);
        return placeholderMetadata(cloud);
      } },
    }),
    keystoneSystem((cloud) => guarded(found(keystone, cloud), `keystone:${cloud}`)),
    kubernetesSystem((cloud, cluster) => guarded(found(kubernetes, clusterKey(cloud, cluster)), `kubernetes:${cloud}`), { authenticationConfig }),
  ] };
  const all: { writes: number }[] = [...keycloak.values(), ...keystone.values(), ...kubernetes.values()];
  return { spec, deps, keycloak, keystone, kubernetes, down, writes: () => all.reduce((n, f) => n + f.writes, 0) };
}

/** The built-in roles, each replaced by a role of the same name in `extra`, plus the rest of `extra`. */
function withRoles(extra: readonly RbacRole[]): RbacRole[] {
  return [...FAKE_CLUSTER_ROLES.filter((r) => !extra.some((x) => x.kind === r.kind && x.name === r.name)), ...extra];
}

function outage(part: string): BrokerError {
  return new BrokerError('ERR_HTTP_UNREACHABLE', `cannot reach ${part}`, { details: { url: `https://${part.replace(':', '.')}.invalid/` } });
}

function found<T extends ManagedSystemPort>(ports: ReadonlyMap<string, T>, key: string): T {
  const port = ports.get(key);
  if (!port) throw new BrokerError('ERR_INTERNAL', `no fake for ${key}`, { details: { key } });
  return port;
}
