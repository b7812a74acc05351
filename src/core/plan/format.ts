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

/** One change of a plan as JSON (`fedbroker plan -o json`, `POST /api/v1/plan`): all the human rendering needs. */
export interface PlanChangeJson {
  readonly action: Change['action'];
  readonly system: string;
  readonly cloud: string;
  readonly scope: string;
  readonly kind: string;
  readonly name: string;
  readonly reason?: string;
  readonly fieldChanges: readonly { readonly path: string; readonly observed: JsonValue; readonly desired: JsonValue }[];
  /** The paths of write-only values (secrets): never their values. */
  readonly writeOnly?: string[];
  /** Where a write-only value comes from, when its system says (e.g. the secret of a client in another realm). */
  readonly writeOnlySources?: Readonly<Record<string, string>>;
}

export interface PlanJson { readonly summary: Plan['summary']; readonly changes: PlanChangeJson[] }

/** The plan as people read it. The same text as formatPlanJson(planToJson(plan)). */
export function formatPlan(plan: Plan, options: FormatOptions = {}): string {
  const shown = plan.changes.filter((c) => c.action !== 'noop' || options.showNoop);
  return formatPlanJson({ summary: plan.summary, changes: shown.map((c) => changeToJson(c, options.systems)) }, options);
}

/** A plan's JSON (made here, or received from a broker's API) as people read it. */
export function formatPlanJson(plan: PlanJson, options: Pick<FormatOptions, 'systems'> = {}): string {
  const systems = new Map((options.systems ?? MANAGED_SYSTEMS).map((s) => [s.name, s]));
  const lines: string[] = [];
  let group = '';
  // Grouped by system and cloud for reading; within a cloud, in the order apply runs them.
  const byCloud = [...plan.changes].sort((x, y) => groupKey(x).localeCompare(groupKey(y)));
  for (const a of byCloud) {
    const system = systems.get(a.system);
    const heading = `${system?.title ?? a.system} ${a.cloud} (${system?.scopeLabel ?? 'scope'} ${a.scope})`;
    if (heading !== group) { lines.push('', heading); group = heading; }
    lines.push(`  ${MARK[a.action]} ${a.kind} ${a.name}${a.action === 'conflict' ? `  (${a.reason ?? 'conflict'})` : ''}`);
    for (const f of a.fieldChanges) lines.push(`      ${f.path}: ${show(f.observed)} → ${show(f.desired)}`);
    for (const [path, source] of Object.entries(a.writeOnlySources ?? {})) lines.push(`      ${path}: ${source}`);
  }
  const s = plan.summary;
  lines.push('', s.create + s.update + s.delete + s.conflict === 0
    ? 'No changes: the federation matches the spec.'
    : `Plan: ${s.create} to create, ${s.update} to update, ${s.delete} to delete, ${s.conflict} conflict${s.conflict === 1 ? '' : 's'}.`);
  return `${lines.join('\n').replace(/^\n/, '')}\n`;
}

export function planToJson(plan: Plan, systems?: readonly SystemDescription[]): PlanJson {
  return {
    summary: { ...plan.summary },
    changes: plan.changes.filter((c) => c.action !== 'noop').map((c) => changeToJson(c, systems)),
  };
}

function changeToJson(c: Change, systems: readonly SystemDescription[] = MANAGED_SYSTEMS): PlanChangeJson {
  const a = address(c);
  const system = systems.find((s) => s.name === a.system);
  const writeOnly = c.action === 'delete' ? undefined : c.desired?.writeOnly;
  const sources = Object.entries(writeOnly ?? {}).flatMap(([path, value]) => {
    const source = system?.describeWriteOnly?.(value);
    return source === undefined ? [] : [[path, source] as const];
  });
  return {
    action: c.action, system: a.system, cloud: a.cloud, scope: a.scope, kind: a.kind, name: a.name,
    ...(c.reason !== undefined && { reason: c.reason }),
    fieldChanges: c.fieldChanges.map((f) => ({ path: f.path, observed: f.observed ?? null, desired: f.desired ?? null })),
    ...(writeOnly && { writeOnly: Object.keys(writeOnly) }),
    ...(sources.length > 0 && { writeOnlySources: Object.fromEntries(sources) }),
  };
}

function groupKey(a: PlanChangeJson): string {
  return `${a.system}/${a.cloud}/${a.scope}`;
}

function address(c: Change): ObjectAddress {
  return (c.desired ?? c.observed) as ObjectAddress;
}

/** An absent value is JSON null in the plan's JSON: both read "(none)". */
function show(value: JsonValue | undefined): string {
  if (value === undefined || value === null) return '(none)';
  const text = JSON.stringify(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}
