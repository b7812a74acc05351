// What an admin API caller may ask for, per cloud (docs/api.md, "Authorization"). A spec change is
// turned into these by ./spec-changes.ts; the routes name the others directly.
import type { GrantSpec } from '../federation/schema.ts';

export type Operation =
  /** Read status, explain, audit or a report of cloud X. */
  | { readonly kind: 'read'; readonly cloud: string }
  /** Read what concerns every cloud (status or a plan of the whole federation). */
  | { readonly kind: 'read-federation' }
  /** Check a spec (nothing is read or written). */
  | { readonly kind: 'validate' }
  /** A part of the spec no cloud owns: metadata, broker, naming, privileged, sync, trust mode, adding or removing a cloud. */
  | { readonly kind: 'change-federation'; readonly part: string }
  /** An existing cloud entry; `connection`: its URLs, CA files, credentials or files (what the broker connects with and reads). */
  | { readonly kind: 'change-cloud'; readonly cloud: string; readonly connection: boolean }
  /** One grant entry of a policy rule (added, removed, or changed with its rule's condition). */
  | { readonly kind: 'change-grant'; readonly rule: string; readonly grant: GrantSpec }
  /** A rule's description or examples (no grant changes): needs the right to change every grant entry of the rule. */
  | { readonly kind: 'change-rule-text'; readonly rule: string; readonly grants: readonly GrantSpec[] }
  /** Trust edge home → partner: the partner proposes (users of home may log into partner). */
  | { readonly kind: 'propose-trust'; readonly home: string; readonly partner: string }
  /** Trust edge home → partner takes effect: it writes a client into home's realm, so home accepts. */
  | { readonly kind: 'accept-trust'; readonly home: string; readonly partner: string }
  /** Trust edge home → partner ends: either side may withdraw. */
  | { readonly kind: 'remove-trust'; readonly home: string; readonly partner: string }
  /** Write the objects of a plan that lie in cloud X (its realm, Keystone, clusters). */
  | { readonly kind: 'apply-in'; readonly cloud: string }
  /** Role sync of partner cloud X (its realm and Keystone). */
  | { readonly kind: 'sync'; readonly cloud: string }
  /** End sessions in cloud X's realm only. */
  | { readonly kind: 'logout-realm'; readonly cloud: string }
  /** Global logout (every realm, every Keystone) of a user homed at cloud X. */
  | { readonly kind: 'global-logout'; readonly homeCloud: string };

export function describeOperation(op: Operation): string {
  switch (op.kind) {
    case 'read': return `read cloud ${op.cloud}`;
    case 'read-federation': return 'read the whole federation';
    case 'validate': return 'validate a spec';
    case 'change-federation': return `change ${op.part}`;
    case 'change-cloud': return `change the entry of cloud ${op.cloud}${op.connection ? ' (its connection and credentials)' : ''}`;
    case 'change-grant': return `change a grant entry of rule ${op.rule}${op.grant.clouds ? ` for ${op.grant.clouds.join(', ')}` : ' (without clouds: every partner)'}`;
    case 'change-rule-text': return `change the description or examples of rule ${op.rule}`;
    case 'propose-trust': return `propose trust ${op.home} → ${op.partner}`;
    case 'accept-trust': return `accept trust ${op.home} → ${op.partner}`;
    case 'remove-trust': return `remove trust ${op.home} → ${op.partner}`;
    case 'apply-in': return `apply changes in cloud ${op.cloud}`;
    case 'sync': return `sync cloud ${op.cloud}`;
    case 'logout-realm': return `end sessions in the realm of cloud ${op.cloud}`;
    case 'global-logout': return `log out a user of cloud ${op.homeCloud} everywhere`;
  }
}
