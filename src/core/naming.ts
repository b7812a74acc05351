// How a federated subject is named downstream (docs/design.md §2). One place, so renderers and explain agree.
import type { FederationSpec } from './federation/schema.ts';

type Naming = FederationSpec['naming'];

export function downstreamUsername(naming: Naming, homeCloud: string, username: string): string {
  return naming.username.replaceAll('{homeCloud}', homeCloud).replaceAll('{username}', username);
}

/** Home group `/projects/p1/members` of cloud-a is `cloud-a:/projects/p1/members` downstream. */
export function downstreamGroup(homeCloud: string, groupPath: string): string {
  return `${homeCloud}:${groupPath}`;
}

export function keystoneDomainFor(naming: Naming, homeCloud: string): string {
  return naming.keystoneDomain.replaceAll('{homeCloud}', homeCloud);
}
