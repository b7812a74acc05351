// The federation spec as JSON Schema (draft 2020-12), for editors and CI checks of spec files.
import { z } from 'zod';
import { API_VERSION, federationSpecSchema } from './schema.ts';

export function federationJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(federationSpecSchema, { io: 'input', unrepresentable: 'any' });
  return {
    ...schema,
    $id: 'https://scs.community/schemas/federation-broker/federation.schema.json',
    title: `SCS Federation Broker spec (${API_VERSION})`,
  };
}
