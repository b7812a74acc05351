// The export file (core/backup/export-file.ts): a round trip keeps revisions and audit records; every
// kind of bad file is refused with the line that is wrong, before anything could be written.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { auditRecordOf } from '../../src/core/audit/record.ts';
import { auditLine, exportHeader, readExport, revisionLine } from '../../src/core/backup/export-file.ts';
import { nextRevision, type Revision } from '../../src/core/revisions/revision.ts';
import { fingerprint } from '../../src/services/api/plans.ts';
import { exampleSpec } from '../support/example-federation.ts';

const T = Date.parse('2026-12-01T10:00:00Z');
const one = nextRevision({ previous: undefined, spec: exampleSpec(), fingerprint: fingerprint(exampleSpec()), author: 'broker', timeMs: T, origin: { kind: 'import', source: '/etc/fedbroker/federation.yaml' }, result: { status: 'imported' } });
const renamed = exampleSpec((d) => { d.clouds[1].displayName = 'Cloud B, renamed'; });
const two = nextRevision({ previous: one, spec: renamed, fingerprint: fingerprint(renamed), author: 'carol (https://kc/realms/cloud-b)', timeMs: T + 1000, origin: { kind: 'apply', planId: 'plan-1' } });
const record = { id: '1-0', ...auditRecordOf({ action: 'api.apply', correlationId: 'req-1', cloud: 'cloud-b', planId: 'plan-1' }, T + 2000) };

function file(revisions: readonly Revision[] = [one, two], audit = [record], header = exportHeader(T + 5000, revisions.length, audit.length)): string {
  return [header, ...revisions.map(revisionLine), ...audit.map(auditLine)].join('\n') + '\n';
}

describe('export file', () => {
  it('reads back what was written: revisions whole (specs validated and frozen), audit records without their store ids', () => {
    const read = readExport(file());
    assert.ok(read.ok, JSON.stringify(!read.ok && read.problems));
    assert.deepEqual(read.revisions.map((r) => [r.number, r.author, r.fingerprint]), [[1, 'broker', one.fingerprint], [2, two.author, two.fingerprint]]);
    assert.equal(read.revisions[1]!.spec.clouds[1]!.displayName, 'Cloud B, renamed');
    assert.ok(Object.isFrozen(read.revisions[1]!.spec));
    const { id: _id, ...withoutId } = record;
    assert.deepEqual(read.audit, [withoutId]);
  });

  const bad: [string, () => string, RegExp, number][] = [
    ['not an export at all', () => '{"hello":1}\n', /not a fedbroker export header/, 1],
    ['a line that is not JSON', () => file().replace(revisionLine(two), '{oops'), /not a JSON object/, 3],
    ['cut short', () => file().split('\n').slice(0, 3).join('\n'), /cut short or appended to/, 4],
    ['revisions out of order', () => file([two, one]), /revision 2 where revision 1 belongs/, 2],
    ['a fingerprint that does not match its spec', () => file([one, { ...two, fingerprint: one.fingerprint }]), /fingerprint does not match/, 3],
    ['an invalid spec in a revision', () => file([one, { ...two, spec: { ...two.spec, clouds: [] } as never }]), /revision 2: its spec is invalid/, 3],
    ['a malformed audit record', () => file([one, two], [{ ...record, outcome: 'maybe' as never }]), /not an audit record: audit\.outcome/, 4],
  ];
  for (const [what, make, message, line] of bad) {
    it(`refuses ${what}, naming line ${line}`, () => {
      const read = readExport(make());
      assert.equal(read.ok, false);
      if (read.ok) return;
      const found = read.problems.find((p) => message.test(p.message));
      assert.ok(found, JSON.stringify(read.problems));
      assert.equal(found.line, line);
    });
  }
});
