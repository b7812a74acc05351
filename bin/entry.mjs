// Which code `fedbroker` runs: the compiled dist/ (scripts/build.sh) while it is at least as new as
// every source and folder under src/ (an image ships dist/ alone), else the TypeScript sources through tsx, so an
// edited source is never shadowed by an old build. FEDBROKER_FROM_SOURCE=1 always takes the sources.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** 'dist' or 'source', for the checkout or image at `root`. */
export function entryFor(root, env = process.env) {
  if (env.FEDBROKER_FROM_SOURCE === '1') return 'source';
  const stamp = join(root, 'dist', '.build-stamp');
  if (!existsSync(stamp) || !existsSync(join(root, 'dist', 'cli', 'main.js'))) return 'source';
  const src = join(root, 'src');
  if (!existsSync(src)) return 'dist';
  const built = statSync(stamp).mtimeMs;
  for (const name of readdirSync(src, { recursive: true })) {
    if (statSync(join(src, String(name))).mtimeMs > built) return 'source';
  }
  return 'dist';
}

/** The CLI's main(), from dist/ or from the sources. */
export async function loadMain(root) {
  if (entryFor(root) === 'dist') return (await import(new URL('../dist/cli/main.js', import.meta.url).href)).main;
  const { register } = await import('tsx/esm/api');
  register();
  return (await import(new URL('../src/cli/main.ts', import.meta.url).href)).main;
}
