// What this Keystone does with a mapping rule's user domain. Keystone 2024.1 introduced mapping
// schema versions and honours the rule's domain for ephemeral users; its API then returns
// `schema_version` with every mapping. Zed (Debian bookworm) .. 2023.2 return no schema_version and
// put ephemeral users into the identity provider's domain. The version document cannot tell (v3.14
// in all of them), so: look at an existing mapping, or write a short-lived probe mapping and read it.
import type { KeystoneCapabilities } from '../../core/render/keystone/model.ts';
import type { KeystoneRest } from './rest.ts';

const MAPPINGS = '/OS-FEDERATION/mappings';
export const PROBE_MAPPING = 'fedbroker-capability-probe';

export async function probeCapabilities(rest: KeystoneRest): Promise<KeystoneCapabilities> {
  const existing = await rest.list<Record<string, unknown>>(MAPPINGS, 'mappings', 'mappings');
  const sample = existing.find((m) => m['id'] !== PROBE_MAPPING);
  if (sample) return fromMapping(sample, `mapping "${String(sample['id'])}"`);
  const object = `mapping "${PROBE_MAPPING}"`;
  const at = `${MAPPINGS}/${PROBE_MAPPING}`;
  await rest.call(at, { method: 'DELETE', object, allowNotFound: true });
  try {
    const created = await rest.call(at, { method: 'PUT', object, body: { mapping: { rules: [{ local: [], remote: [{ type: 'fedbroker.scs.community/probe' }] }] } } });
    return fromMapping((created.body as { mapping?: Record<string, unknown> } | undefined)?.mapping ?? {}, 'a probe mapping');
  } finally {
    await rest.call(at, { method: 'DELETE', object, allowNotFound: true });
  }
}

function fromMapping(mapping: Readonly<Record<string, unknown>>, source: string): KeystoneCapabilities {
  return 'schema_version' in mapping
    ? { honoursRuleDomain: true, evidence: `${source} has schema_version ${String(mapping['schema_version'])}: Keystone 2024.1 or later, ephemeral users land in the rule's domain` }
    : { honoursRuleDomain: false, evidence: `${source} has no schema_version: Keystone before 2024.1 (e.g. Zed), ephemeral users land in the identity provider's domain` };
}
