// Keystone objects the broker renders, for each partner cloud P whose Keystone trusts P's realm.
// Keystone's identity objects are global to one Keystone (not regional), so every Keystone object
// lives in one fixed scope, KEYSTONE_SCOPE ("global"), and object names carry their domain.
import type { DesiredObject } from '../../plan/model.ts';

export const KEYSTONE_SCOPE = 'global';

export type KeystoneKind =
  | 'domain'           // fed-<H> per home cloud (groups; users too where Keystone honours the rule's domain), and the IdP's own domain
  | 'role'             // a role the policy grants: an existing one is used as is (shared), a missing one is created and owned
  | 'project'          // a project the policy grants on: same adoption rule as roles; name "<domain>/<project>"
  | 'group'            // one group per (home cloud, policy rule) in fed-<H>; name "<domain>/<group>"
  | 'roleAssignment'   // group → project role; name "<group domain>/<group> -> <project domain>/<project>: <role>"
  | 'identityProvider' // P's realm as OS-FEDERATION identity provider
  | 'mapping'          // the one generated mapping
  | 'protocol';        // "<idp>/openid", pointing at the mapping

/** Order of creation; deletion runs in reverse (protocol before mapping before IdP; domains last). */
export const KEYSTONE_KIND_ORDER: readonly KeystoneKind[] = [
  'domain', 'role', 'project', 'group', 'roleAssignment', 'identityProvider', 'mapping', 'protocol',
];

export interface KeystoneObject extends DesiredObject {
  readonly system: 'keystone';
  readonly kind: KeystoneKind;
}

/**
 * What a Keystone can do that changes the rendering; the adapter finds it out (KeystoneAdminPort.capabilities).
 * - honoursRuleDomain: ephemeral users land in the domain the mapping rule names (Keystone 2024.1 and
 *   later, whose mappings carry `schema_version`); otherwise (Zed .. 2023.2) in the identity provider's domain.
 */
export interface KeystoneCapabilities {
  readonly honoursRuleDomain: boolean;
  /** How the adapter decided, for `status`. */
  readonly evidence: string;
}

/** What Debian's Keystone (Zed) does; the safe assumption when nothing is known. */
export const ZED_CAPABILITIES: KeystoneCapabilities = {
  honoursRuleDomain: false,
  evidence: 'assumed: Keystone before 2024.1 puts ephemeral users into the identity provider\'s domain',
};

export type KeystoneCapabilitiesByCloud = Readonly<Record<string, KeystoneCapabilities>>;
