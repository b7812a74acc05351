// A plan as people read it (like `terraform plan`): one line per object, grouped by system and
// cloud, +/~/-/! markers, field-level detail for updates. And as JSON for machines.
// Write-only values (secrets) never appear; the system that rendered them may say where they come from.
// Titles and scope labels are the managed systems' own (src/core/systems).
import type { JsonValue } from '../json.ts';
import { MANAGED_SYSTEMS } from '../systems/index.ts';
import type { SystemDescription } from '../systems/model.ts';
import type { Change, Plan } from './diff.ts';
import type { ObjectAddress } from './model.ts';

const MARK: Record<Change['action'], string> = { create: '+', update: '~', delete: '-', noop: ' ', conflict: '!' };

export interface FormatOptions {
  readonly showNoop?: boolean;
  /** The systems the plan's objects belong to (default: the registry); an unknown one is titled by its name. */
  readonly systems?: readonly SystemDescription[];
}

export function formatPlan(plan: Plan, options: FormatOptions = {}): string {
  const systems = new Map((options.systems ?? MANAGED_SYSTEMS).map((s) => [s.name, s]));
  const lines: string[] = [];
  let group = '';
  // Grouped by system and cloud for reading; within a cloud, in the order apply runs them.
  const byCloud = [...plan.changes].sort((x, y) => groupKey(x).localeCompare(groupKey(y)));
  for (const change of byCloud) {
    if (change.action === 'noop' && !options.showNoop) continue;
    const a = address(change);
    const system = systems.get(a.system);
    const heading = `${system?.title ?? a.system} ${a.cloud} (${system?.scopeLabel ?? 'scope'} ${a.scope})`;
    if (heading !== group) { lines.push('', heading); group = heading; }
    lines.push(`  ${MARK[change.action]} ${a.kind} ${a.name}${change.action === 'conflict' ? `  (${change.reason ?? 'conflict'})` : ''}`);
    for (const f of change.fieldChanges) lines.push(`      ${f.path}: ${show(f.observed)} → ${show(f.desired)}`);
    for (const [path, value] of Object.entries(change.action === 'delete' ? {} : change.desired?.writeOnly ?? {})) {
      const source = system?.describeWriteOnly?.(value);
      if (source !== undefined) lines.push(`      ${path}: ${source}`);
    }
  }
  const s = plan.summary;
  lines.push('', s.create + s.update + s.delete + s.conflict === 0
    ? 'No changes: the federation matches the spec.'
    : `Plan: ${s.create} to create, ${s.update} to update, ${s.delete} to delete, ${s.conflict} conflict${s.conflict === 1 ? '' : 's'}.`);
  return `${lines.join('\n').replace(/^\n/, '')}\n`;
}

export function planToJson(plan: Plan): JsonValue {
  return {
    summary: { ...plan.summary },
    changes: plan.changes.filter((c) => c.action !== 'noop').map((c) => {
      const a = address(c);
      return {
        action: c.action, system: a.system, cloud: a.cloud, scope: a.scope, kind: a.kind, name: a.name,
        ...(c.reason !== undefined && { reason: c.reason }),
        fieldChanges: c.fieldChanges.map((f) => ({ path: f.path, observed: f.observed ?? null, desired: f.desired ?? null })),
        ...(c.action !== 'delete' && c.desired?.writeOnly && { writeOnly: Object.keys(c.desired.writeOnly) }),
      };
    }),
  };
}

function groupKey(c: Change): string {
  const a = address(c);
  return `${a.system}/${a.cloud}/${a.scope}`;
}

function address(c: Change): ObjectAddress {
  return (c.desired ?? c.observed) as ObjectAddress;
}

function show(value: JsonValue | undefined): string {
  if (value === undefined) return '(none)';
  const text = JSON.stringify(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}
