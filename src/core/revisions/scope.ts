// What of a revision's diff a cloud admin of X may read: its own cloud entry, the policy rules that
// grant in X (a rule with a grant entry for X or without `clouds`), trust changes naming X. The rest
// (federation-wide parts, other clouds' entries) stays with the federation admins.
import { canonicalJson } from '../canonical-json.ts';
import type { FederationSpec } from '../federation/schema.ts';
import type { SpecDiffEntry } from './diff.ts';

export function diffForCloud(diff: readonly SpecDiffEntry[], cloud: string, specs: readonly FederationSpec[]): SpecDiffEntry[] {
  const rulesOfCloud = new Set(specs.flatMap((s) => s.policy
    .filter((r) => r.grant.some((g) => g.clouds === undefined || g.clouds.includes(cloud))).map((r) => r.name)));
  return diff.filter((entry) => {
    const path = entry.path;
    if (path === `clouds[${cloud}]` || path.startsWith(`clouds[${cloud}].`)) return true;
    const rule = /^policy\[([^\]]+)\]/.exec(path)?.[1];
    if (rule !== undefined) return rulesOfCloud.has(rule);
    if (path === 'trust' || path.startsWith('trust.')) return canonicalJson([entry.before, entry.after]).includes(JSON.stringify(cloud));
    return false;
  });
}
