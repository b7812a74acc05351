// The registry of managed systems: every system the broker configures, in plan order (Keycloak
// first: logins; then what logins lead to). Plan formatting reads titles from here; the use cases
// iterate the systems they are given (src/services/systems), the CLI composes one per entry.
import { KEYCLOAK_SYSTEM } from './keycloak.ts';
import { KEYSTONE_SYSTEM } from './keystone.ts';
import { KUBERNETES_SYSTEM } from './kubernetes.ts';
import type { SystemDescription } from './model.ts';

export const MANAGED_SYSTEMS: readonly SystemDescription[] = [KEYCLOAK_SYSTEM, KEYSTONE_SYSTEM, KUBERNETES_SYSTEM];

export { KEYCLOAK_SYSTEM, KEYSTONE_SYSTEM, KUBERNETES_SYSTEM };
export { kindOrderOf, type SystemDescription, type SystemScope } from './model.ts';
