#!/usr/bin/env node
// Entry point of the `fedbroker` CLI: the compiled dist/ when it is fresh, else the TypeScript sources
// through tsx (./entry.mjs).
import { fileURLToPath } from 'node:url';
import { loadMain } from './entry.mjs';

const main = await loadMain(fileURLToPath(new URL('..', import.meta.url)));
const code = await main(process.argv.slice(2));
// Exit once output is flushed, without waiting for idle keep-alive connections to time out.
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
