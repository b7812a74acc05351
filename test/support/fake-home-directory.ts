// A home directory of fixed users (alice in p1 members, bob in no group), the same in every home
// realm: what explain needs of a home, for use-case and API tests over the fakes.
import type { SubjectProfile } from '../../src/core/subject.ts';
import type { HomeDirectoryPort } from '../../src/ports.ts';

export const FIXED_HOME_USERS: Readonly<Record<string, readonly string[]>> = { alice: ['/projects/p1/members'], bob: [] };

export function fixedHomeDirectory(cloud: string): HomeDirectoryPort {
  return {
    cloud,
    subject: async (username): Promise<SubjectProfile | undefined> => {
      const groups = FIXED_HOME_USERS[username];
      return groups ? { homeCloud: cloud, homeSub: `id-of-${username}`, homeUsername: username, groups, attributes: {} } : undefined;
    },
    users: async () => [],
    usersByIds: async () => [],
  };
}
