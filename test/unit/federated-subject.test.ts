// One FederatedSubject (src/core/subject.ts) for logout, policy and explain: the subject a home
// directory reads is the subject logout finds behind the same user, with more of its parts known.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { brokeredClaims } from '../../src/core/explain/keystone.ts';
import { fanoutTargets, keystoneUserName, subjectOfUser, userLookupIn } from '../../src/core/logout/subject.ts';
import { evaluatePolicy } from '../../src/core/policy/evaluate.ts';
import type { FederatedSubject, PolicySubject, SubjectProfile } from '../../src/core/subject.ts';
import { exampleSpec } from '../support/example-federation.ts';

const spec = exampleSpec();
const HOME_SUB = 'a1a1a1a1-0000-4000-8000-00000000a11c';

describe('the federated subject', () => {
  const fromLogout: FederatedSubject = subjectOfUser(spec, 'cloud-b', {
    id: 'b-alice', username: 'cloud-a.alice', attributes: { home_cloud: ['cloud-a'], home_sub: [HOME_SUB] },
    federatedIdentities: [{ identityProvider: 'cloud-a', userId: HOME_SUB, userName: 'alice' }],
  });
  const fromHomeDirectory: SubjectProfile = { homeCloud: 'cloud-a', homeSub: HOME_SUB, homeUsername: 'alice', groups: ['/projects/p1/members'], attributes: {} };

  it('is named by (homeCloud, homeSub), whichever use case found it', () => {
    assert.deepEqual(fromLogout, { homeCloud: 'cloud-a', homeSub: HOME_SUB, homeUsername: 'alice' });
    assert.deepEqual([fromHomeDirectory.homeCloud, fromHomeDirectory.homeSub], [fromLogout.homeCloud, fromLogout.homeSub]);
  });

  it('serves logout and policy alike', () => {
    assert.deepEqual(fanoutTargets(spec, fromHomeDirectory), fanoutTargets(spec, fromLogout));
    assert.deepEqual(userLookupIn(spec, fromHomeDirectory, 'cloud-b'), userLookupIn(spec, fromLogout, 'cloud-b'));
    assert.equal(keystoneUserName(spec, fromHomeDirectory, 'cloud-b'), 'cloud-a.alice');
    const policyView: PolicySubject = fromHomeDirectory;
    assert.deepEqual(evaluatePolicy(spec, policyView, 'cloud-b').matchedRules, ['p1-members']);
    assert.equal(brokeredClaims(spec, policyView, 'cloud-b')['preferred_username'], keystoneUserName(spec, fromLogout, 'cloud-b'));
  });

  it('needs no id for policy: a spec example names no home_sub', () => {
    const example: PolicySubject = { homeCloud: 'cloud-a', homeUsername: 'alice', groups: ['/projects/p1/members'], attributes: {} };
    assert.deepEqual(evaluatePolicy(spec, example, 'cloud-b'), evaluatePolicy(spec, fromHomeDirectory, 'cloud-b'));
  });
});
