// How a federated subject is named downstream (docs/design.md §2). One place, so renderers, explain
// and logout agree.
import type { FederationSpec } from './federation/schema.ts';

type Naming = FederationSpec['naming'];

/** `naming.username` filled in: cloud-a's alice is `cloud-a.alice` with the default template. */
export function downstreamUsername(naming: Naming, homeCloud: string, username: string): string {
  return naming.username.replaceAll('{homeCloud}', homeCloud).replaceAll('{username}', username);
}

/**
 * The home user name behind a downstream user name of `homeCloud` (the inverse of downstreamUsername),
 * or undefined when `downstream` does not fit the template. Keycloak stores user names in lower case,
 * so the template's fixed parts are compared in lower case, as Keystone's mapping does.
 */
export function homeUsernameOf(naming: Naming, homeCloud: string, downstream: string): string | undefined {
  const fixed = naming.username.replaceAll('{homeCloud}', homeCloud).toLowerCase().split('{username}');
  if (fixed.length < 2) return undefined;
  const [head = '', ...rest] = fixed.map(escapeRegex);
  const pattern = `^${head}([\\s\\S]+)${rest.join('\\1')}$`;
  return new RegExp(pattern).exec(downstream)?.[1];
}

/** Home group `/projects/p1/members` of cloud-a is `cloud-a:/projects/p1/members` downstream. */
export function downstreamGroup(homeCloud: string, groupPath: string): string {
  return `${homeCloud}:${groupPath}`;
}

export function keystoneDomainFor(naming: Naming, homeCloud: string): string {
  return naming.keystoneDomain.replaceAll('{homeCloud}', homeCloud);
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
