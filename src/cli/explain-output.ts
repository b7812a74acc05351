// How explain shows an explanation, locally and against a running broker (./remote): the same text
// and the same JSON from the same Explanation (the API's POST /explain body is one).
import { readFile } from 'node:fs/promises';
import { BrokerError } from '../core/errors.ts';
import type { Claims } from '../core/explain/keystone.ts';
import type { Explanation } from '../services/explain.ts';
import { printJson, type OutputFormat } from './output.ts';

export function printExplanation(explanation: Explanation, format: OutputFormat): void {
  // The JSON keeps the subject's `username` key it has always had (the home user name).
  if (format === 'json') printJson({ ...explanation, subject: { username: explanation.subject.homeUsername, ...explanation.subject } });
  else process.stdout.write(formatExplanation(explanation));
}

/** The claims of a partner token (--claims FILE): a JSON object, else ERR_USAGE. */
export async function readClaims(file: string): Promise<Claims> {
  try {
    const claims: unknown = JSON.parse(await readFile(file, 'utf8'));
    if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) throw new Error('not a JSON object');
    return claims as Claims;
  } catch (cause) {
    throw new BrokerError('ERR_USAGE', `--claims ${file} must be a JSON object of token claims (${(cause as Error).message})`, { cause, details: { file } });
  }
}

export function formatExplanation(e: Explanation): string {
  const lines = [`${e.subject.homeUsername} of ${e.subject.homeCloud}  (home groups: ${e.subject.groups.join(', ') || 'none'})`];
  for (const p of e.partners) {
    lines.push('', `${p.cloud}: user ${p.username}${p.groups.length ? `, groups ${p.groups.join(', ')}` : ''}`);
    for (const a of p.assumptions) lines.push(`  Keystone capabilities unknown: ${a.message} [${a.code}]; ${a.assumed}`);
    const k = p.keystone;
    if (k.outcome === 'not-configured') lines.push(`  Keystone: not configured (${k.reason})`);
    else if (k.outcome === 'refused') lines.push(`  Keystone: refused with ${k.status} (${k.reason})`);
    else {
      lines.push(`  Keystone: user ${k.user.name} in domain ${k.user.domain}; groups ${k.groups.map((g) => `${domainName(g.domain)}/${g.name}`).join(', ') || 'none'}`);
      for (const r of k.matchedRules) lines.push(`    rule ${r.index}: ${r.description}`);
      if (k.projects.length === 0) lines.push('    no project');
      for (const pr of k.projects) lines.push(`    project ${pr.domain}/${pr.project}: ${pr.roles.join(', ')}  (via ${pr.viaGroups.join(', ')})`);
    }
    for (const c of p.kubernetes) {
      lines.push(`  Kubernetes ${c.cluster}: user ${c.identity.username}; groups ${c.identity.groups.join(', ')}`);
      if (c.grants.length === 0) lines.push('    no permission');
      for (const g of c.grants) {
        const verbs = [...new Set(g.rules.flatMap((r) => r.verbs))].sort().join(',');
        lines.push(`    ${g.namespace ? `namespace ${g.namespace}` : 'cluster-wide'}: ${g.binding.roleRef.kind} ${g.binding.roleRef.name} [${verbs}]  (${g.binding.kind} ${g.binding.name}${g.binding.policyRule ? `, policy ${g.binding.policyRule}` : ''})`);
      }
    }
  }
  return `${lines.join('\n')}\n`;
}

function domainName(domain: unknown): string {
  if (typeof domain === 'string') return domain;
  const d = domain as { name?: string; id?: string };
  return d.name ?? d.id ?? '?';
}
