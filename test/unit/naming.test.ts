// Downstream names are computed in src/core/naming.ts only; explain reads a token's user name back
// through the same template the renderers write it with.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { downstreamUsername, homeUsernameOf } from '../../src/core/naming.ts';
import { renderKeycloak } from '../../src/core/render/keycloak/index.ts';
import { explainClaims } from '../../src/services/explain.ts';
import { exampleSpec } from '../support/example-federation.ts';
import { demoHomeMetadata } from '../support/metadata.ts';

const naming = (username: string) => ({ username, keystoneDomain: 'fed-{homeCloud}' });
const noDirectory = { homeDirectory: () => { throw new Error('explain --claims reads no home directory'); } };

describe('downstream user names', () => {
  it('fills in naming.username', () => {
    assert.equal(downstreamUsername(naming('{homeCloud}.{username}'), 'cloud-a', 'alice'), 'cloud-a.alice');
    assert.equal(downstreamUsername(naming('{username}@{homeCloud}.example'), 'cloud-a', 'alice'), 'alice@cloud-a.example');
  });

  it('reads the home user name back from a downstream name of that home only', () => {
    for (const template of ['{homeCloud}.{username}', '{username}@{homeCloud}', 'fed_{homeCloud}-{username}', '{homeCloud}.{username}.Ext', '{username}.{homeCloud}.{username}']) {
      const n = naming(template);
      for (const user of ['alice', 'd.e', 'a{0}b', 'x.cloud-a.y']) {
        const downstream = downstreamUsername(n, 'cloud-a', user).toLowerCase();
        assert.equal(homeUsernameOf(n, 'cloud-a', downstream), user, `${template} ${user}`);
        assert.equal(homeUsernameOf(n, 'cloud-c', downstream), undefined, `${template} ${user} is no user of cloud-c`);
      }
    }
    assert.equal(homeUsernameOf(naming('{homeCloud}.{username}'), 'cloud-a', 'cloud-a.'), undefined, 'an empty home user name');
    assert.equal(homeUsernameOf(naming('{username}.{homeCloud}.{username}'), 'cloud-a', 'a.cloud-a.b'), undefined, 'both places hold the same name');
  });

  it('the Keycloak username mapper uses the same template', () => {
    const spec = exampleSpec((doc) => { doc.naming.username = '{username}@{homeCloud}'; });
    const mapper = renderKeycloak(spec, demoHomeMetadata(spec))
      .find((o) => o.cloud === 'cloud-b' && o.kind === 'identityProviderMapper' && o.name === 'cloud-a/username');
    assert.equal((mapper?.fields['config'] as Record<string, string>)['template'], downstreamUsername(spec.naming, 'cloud-a', '${CLAIM.preferred_username}'));
  });

  it('explain --claims honours naming.username when it reads the subject back from a token', async () => {
    const spec = exampleSpec((doc) => { doc.naming.username = '{username}@{homeCloud}'; });
    const partner = spec.clouds.find((c) => c.alias === 'cloud-b')!;
    const claims = {
      iss: `${partner.keycloak.url}/realms/${partner.keycloak.realm}`, home_cloud: 'cloud-a', home_sub: 'sub-of-alice',
      preferred_username: 'alice@cloud-a', groups: ['/cloud-a:/projects/p1/members'],
    };
    const explained = await explainClaims(spec, claims, noDirectory);
    assert.deepEqual(explained.subject, { homeCloud: 'cloud-a', homeSub: 'sub-of-alice', homeUsername: 'alice', groups: ['/projects/p1/members'], attributes: {} });
    assert.equal(explained.partners[0]?.username, 'alice@cloud-a');
    assert.deepEqual(explained.partners[0]?.groups, ['cloud-a:/projects/p1/members']);
  });

  it('explain --claims does not take a name of another template for a brokered user', async () => {
    const spec = exampleSpec((doc) => { doc.naming.username = '{username}@{homeCloud}'; });
    const partner = spec.clouds.find((c) => c.alias === 'cloud-b')!;
    const claims = { iss: `${partner.keycloak.url}/realms/${partner.keycloak.realm}`, home_cloud: 'cloud-a', preferred_username: 'cloud-a.alice' };
    const explained = await explainClaims(spec, claims, noDirectory);
    assert.equal(explained.subject.homeCloud, '', 'no federated subject behind a name the template cannot produce');
  });
});
