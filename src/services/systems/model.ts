// A managed system as the use cases see it: its description (src/core/systems) plus the I/O half,
// namely what to read before rendering, and the adapter that observes and writes each scope. Plan,
// apply and status iterate the systems they are given and name none of them.
import type { BrokerIdentity } from '../../core/credentials.ts';
import type { JsonValue } from '../../core/json.ts';
import type { DesiredObject } from '../../core/plan/model.ts';
import type { CloudSpec, FederationSpec } from '../../core/federation/schema.ts';
import type { RevocationFact } from '../../core/sync/revocation-facts.ts';
import type { SystemDescription } from '../../core/systems/model.ts';
import type { ManagedSystemPort } from '../../ports.ts';

/** A part of the federation that could not be read: left out of the plan, reported with its error. */
export interface UnreachablePart {
  readonly system: string;
  readonly cloud: string;
  /** `metadata`: the home's identity-provider metadata; the others: the system itself (a scope of it, when set). */
  readonly part: 'metadata' | 'system';
  readonly scope?: string;
  readonly error: unknown;
}

export interface PlanContext {
  readonly spec: FederationSpec;
  /** The parts found unreadable so far; a system adds its own and goes on without them. */
  readonly unreachable: UnreachablePart[];
}

export interface RenderedSystem {
  readonly desired: readonly DesiredObject[];
  /** Objects neither written nor deleted by this plan: their content depends on something unreadable. */
  readonly heldBack?: readonly DesiredObject[];
}

export interface ManagedSystem {
  readonly description: SystemDescription;
  /**
   * Reads what rendering needs and renders. A mistake in the spec (something it names does not
   * exist) throws; a system that cannot be asked is added to `context.unreachable`.
   */
  render(context: PlanContext): Promise<RenderedSystem>;
  /** The adapter that observes and writes one scope of a cloud. */
  adapter(cloud: string, scope: string): ManagedSystemPort;
  /** The value written for a write-only field the renderer could only point at (default: the value as rendered). */
  resolveWriteOnly?(value: JsonValue): Promise<JsonValue>;
  /** The status message of a cloud whose part matches the spec (default: the description's). */
  inSyncMessage?(cloud: CloudSpec): Promise<string>;
  /** Who the broker acts as in this cloud's system (one per scope that has its own credentials). */
  ownIdentities?(cloud: CloudSpec): Promise<readonly OwnIdentity[]>;
  /** How fast a removal at home takes effect in this cloud, from live facts (status). */
  revocationFacts?(cloud: CloudSpec): Promise<readonly RevocationFact[]>;
}

/** The broker's identity in one scope of a system, or why it could not be read. */
export type OwnIdentity = { readonly scope?: string } & ({ readonly identity: BrokerIdentity } | { readonly error: unknown });

/** A system whose renderer needs nothing read from the systems: `inputs` are known when it is composed. */
export function managedSystem<Inputs>(description: SystemDescription<Inputs>, inputs: Inputs,
  adapter: (cloud: string, scope: string) => ManagedSystemPort): ManagedSystem {
  return {
    description,
    render: async ({ spec }) => ({ desired: description.render(spec, inputs) }),
    adapter,
  };
}
