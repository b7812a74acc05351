// Test helpers: the demo spec as a fresh mutable document, for building variants in unit tests.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { validateSpec } from '../../src/core/federation/validate.ts';
import { federationSpecSchema, type FederationSpec } from '../../src/core/federation/schema.ts';

export const EXAMPLE_SPEC_PATH = new URL('../../config/federation.example.yaml', import.meta.url).pathname;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type MutableDoc = any;

export function exampleDoc(): MutableDoc {
  return parse(readFileSync(EXAMPLE_SPEC_PATH, 'utf8'));
}

/** The demo spec with a change, as a plain JSON document (what an API client sends). */
export function specWith(change: (doc: MutableDoc) => void): MutableDoc {
  const doc = exampleDoc();
  change(doc);
  return doc;
}

export function exampleSpec(mutate: (doc: MutableDoc) => void = () => {}): FederationSpec {
  const doc = exampleDoc();
  mutate(doc);
  const result = validateSpec(doc);
  if (!result.ok) throw new Error(`spec variant is invalid: ${JSON.stringify(result.problems)}`);
  return result.spec;
}

/**
 * A variant checked for shape only, not for cross-references and safety: for tests of the guards
 * that renderers apply again at render time (a spec that validation would refuse must still fail there).
 */
export function unvalidatedSpec(mutate: (doc: MutableDoc) => void): FederationSpec {
  const doc = exampleDoc();
  mutate(doc);
  return federationSpecSchema.parse(doc);
}
