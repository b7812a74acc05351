// Writes schema/federation.schema.json from the spec model (npm run schema). A unit test fails
// when the committed file is out of date.
import { writeFileSync } from 'node:fs';
import { federationJsonSchema } from '../src/core/federation/json-schema.ts';

const target = new URL('../schema/federation.schema.json', import.meta.url);
writeFileSync(target, `${JSON.stringify(federationJsonSchema(), null, 2)}\n`);
console.log(`wrote ${target.pathname}`);
