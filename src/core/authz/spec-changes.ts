// A proposed spec against the current one, as the operations it amounts to (./operations.ts), so
// each can be authorized on its own: per cloud entry, per grant entry of a policy rule, per trust edge.
import { canonicalJson } from '../canonical-json.ts';
import type { CloudSpec, FederationSpec, PolicyRule } from '../federation/schema.ts';
import { trustEdges } from '../federation/trust.ts';
import type { Operation } from './operations.ts';

/** Parts of the spec no cloud owns. */
const FEDERATION_PARTS = ['metadata', 'broker', 'naming', 'privileged', 'sync'] as const;

export function specChanges(current: FederationSpec, proposed: FederationSpec): Operation[] {
  const same = (a: unknown, b: unknown) => canonicalJson(a) === canonicalJson(b);
  return [
    ...FEDERATION_PARTS.filter((part) => !same(current[part], proposed[part])).map((part): Operation => ({ kind: 'change-federation', part })),
    ...cloudChanges(current.clouds, proposed.clouds),
    ...trustChanges(current, proposed),
    ...policyChanges(current.policy, proposed.policy),
  ];
}

function cloudChanges(current: readonly CloudSpec[], proposed: readonly CloudSpec[]): Operation[] {
  const ops: Operation[] = [];
  for (const c of proposed) {
    const before = current.find((o) => o.alias === c.alias);
    if (!before) ops.push({ kind: 'change-federation', part: `clouds (cloud ${c.alias} added)` });
    else if (canonicalJson(before) !== canonicalJson(c)) {
      ops.push({ kind: 'change-cloud', cloud: c.alias, connection: canonicalJson(connectionOf(before)) !== canonicalJson(connectionOf(c)) });
    }
  }
  for (const c of current) if (!proposed.some((p) => p.alias === c.alias)) ops.push({ kind: 'change-federation', part: `clouds (cloud ${c.alias} removed)` });
  return ops;
}

/** What the broker connects with and reads files from: URLs, realms, CA files, credentials, file paths. */
export function connectionOf(cloud: CloudSpec): unknown {
  return {
    keycloak: cloud.keycloak,
    keystone: cloud.keystone && { url: cloud.keystone.url, caFile: cloud.keystone.caFile, admin: cloud.keystone.admin },
    clusters: cloud.kubernetes?.clusters.map((k) => ({ name: k.name, apiUrl: k.apiUrl, caFile: k.caFile, token: k.token, authenticationConfigFile: k.authenticationConfigFile })),
  };
}

function trustChanges(current: FederationSpec, proposed: FederationSpec): Operation[] {
  const key = (e: { home: string; partner: string }) => `${e.home} ${e.partner}`;
  const before = new Map(trustEdges(current).map((e) => [key(e), e]));
  const after = new Map(trustEdges(proposed).map((e) => [key(e), e]));
  const ops: Operation[] = [];
  // A new edge needs both sides at once: the partner proposes, the home accepts.
  for (const [k, e] of after) if (!before.has(k)) ops.push({ kind: 'propose-trust', ...e }, { kind: 'accept-trust', ...e });
  for (const [k, e] of before) if (!after.has(k)) ops.push({ kind: 'remove-trust', ...e });
  return ops;
}

function policyChanges(current: readonly PolicyRule[], proposed: readonly PolicyRule[]): Operation[] {
  const ops: Operation[] = [];
  const names = [...new Set([...current.map((r) => r.name), ...proposed.map((r) => r.name)])];
  for (const name of names) {
    const before = current.find((r) => r.name === name);
    const after = proposed.find((r) => r.name === name);
    const grantOps = (rule: PolicyRule | undefined, except: readonly string[] = []) => (rule?.grant ?? [])
      .filter((g) => !except.includes(canonicalJson(g))).map((grant): Operation => ({ kind: 'change-grant', rule: name, grant }));
    if (!before || !after || canonicalJson(before.when) !== canonicalJson(after.when)) {
      // A new, removed or re-conditioned rule changes every grant entry it has or had.
      ops.push(...grantOps(before), ...grantOps(after));
      continue;
    }
    ops.push(...grantOps(before, after.grant.map(canonicalJson)), ...grantOps(after, before.grant.map(canonicalJson)));
    if (canonicalJson([before.description, before.examples]) !== canonicalJson([after.description, after.examples])) {
      ops.push({ kind: 'change-rule-text', rule: name, grants: after.grant });
    }
  }
  return ops;
}
