// What the broker knows about a managed system (Keycloak, Keystone, Kubernetes, ...), its pure half:
// the name its objects carry, the order its kinds are created in, how the plan titles it, which
// clouds have it, where its objects live, how it is rendered from the spec and which status
// condition reports it. The I/O half (what to read before rendering, which adapter writes a
// scope) is in src/services/systems; the adapters are built by the composition root (src/cli/compose.ts).
import type { CloudSpec, FederationSpec } from '../federation/schema.ts';
import type { JsonValue } from '../json.ts';
import type { Needs, PartAddress } from '../plan/dependencies.ts';
import type { Plan } from '../plan/diff.ts';
import type { DesiredObject, ObjectAddress } from '../plan/model.ts';

/** One place the system nests objects in: a realm, a Keystone, a cluster of a cloud. */
export interface SystemScope {
  readonly cloud: string;
  readonly scope: string;
}

/** `Inputs`: what the renderer needs besides the spec, read from the systems before rendering. */
export interface SystemDescription<Inputs = never> {
  /** The `system` of its objects' addresses. */
  readonly name: string;
  /** Plan headings read "<title> <cloud> (<scopeLabel> <scope>)". */
  readonly title: string;
  readonly scopeLabel: string;
  /** Order of creation; deletion runs in reverse. */
  readonly kindOrder: readonly string[];
  /** The status condition that says whether a cloud's part of the system matches the spec. */
  readonly condition: { readonly type: string; readonly inSync: string };
  /**
   * Its objects carry what the policy grants to federated users (identity providers and mappers, role
   * mappings, RBAC bindings): a target cloud's policy examples hold live only while this part matches.
   */
  readonly carriesPolicy?: boolean;
  /** Whether the spec configures this system in the cloud (status reports a condition for it). */
  configuredIn(cloud: CloudSpec): boolean;
  /** The scopes whose objects the plan observes. */
  scopes(spec: FederationSpec): SystemScope[];
  render(spec: FederationSpec, inputs: Inputs): DesiredObject[];
  /** How the plan shows a write-only value (never the value itself); undefined: not shown. */
  describeWriteOnly?(value: JsonValue): string | undefined;
  /**
   * The objects (in any system, cloud or scope) or parts writing this object needs: when they failed or
   * cannot be read, apply does not attempt it (src/core/plan/dependencies.ts). Default: none beyond its own part.
   */
  needs?(desired: DesiredObject): readonly (ObjectAddress | PartAddress)[];
  /** A last look at the diffed plan, for what a field comparison cannot see (e.g. secrets of replaced clients). */
  revisePlan?(plan: Plan): Plan;
}

/** Kind order across systems, "system/kind" since kind names repeat (Keycloak and Keystone both have groups). */
export function kindOrderOf(systems: readonly SystemDescription[]): string[] {
  return systems.flatMap((s) => s.kindOrder.map((kind) => `${s.name}/${kind}`));
}

/** What a desired object needs, by the description of its system. */
export function needsOf(systems: readonly SystemDescription[]): Needs {
  return (desired) => systems.find((s) => s.name === desired.system)?.needs?.(desired) ?? [];
}
