#!/usr/bin/env node
// Entry point of the `fedbroker` CLI: loads the TypeScript sources through tsx.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
const code = await main(process.argv.slice(2));
// Exit once output is flushed, without waiting for idle keep-alive connections to time out.
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
