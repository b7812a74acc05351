// The role-sync fake world of test/support/sync-fake-world.ts, and the changes of a run as short strings.
import type { SyncReport } from '../../src/services/sync.ts';

export { ADMINS, P1, world as syncWorld, type World as SyncWorld } from './sync-fake-world.ts';

/** "op name [group]" of every change of a run in one partner system. */
export const changesOf = (report: SyncReport, partner: string, system: string): string[] =>
  report.targets.filter((t) => t.partner === partner && t.system === system).flatMap((t) => t.changes.map((c) => `${c.op} ${'username' in c ? c.username : c.op === 'createUser' ? c.user.username : c.uniqueId}${'group' in c ? ` ${c.group}` : ''}`));
