// Which code `fedbroker` runs (bin/entry.mjs): the compiled dist/ while its build stamp is at least as
// new as every source (an image without src/ always takes dist/), the sources through tsx otherwise, so
// an edited source is never shadowed by an old build; FEDBROKER_FROM_SOURCE=1 always takes the sources.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// @ts-expect-error -- a plain JavaScript module of the bin folder, without type declarations
import { entryFor } from '../../bin/entry.mjs';

const pick = entryFor as (root: string, env?: Record<string, string>) => 'dist' | 'source';

function checkout(): { root: string; at: (path: string, secondsAgo: number) => void } {
  const root = mkdtempSync(join(tmpdir(), 'fedbroker-entry-'));
  const at = (path: string, secondsAgo: number) => {
    const file = join(root, path);
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, '');
    const t = Date.now() / 1000 - secondsAgo;
    // The folders too: adding or removing a source changes its folder's time, which counts as a change.
    for (let p = file; p.length > root.length; p = join(p, '..')) utimesSync(p, t, t);
  };
  return { root, at };
}

describe('fedbroker entry', () => {
  it('takes dist/ while it is fresh, the sources once one is newer than the build', () => {
    const { root, at } = checkout();
    try {
      at('src/core/a.ts', 100);
      at('src/cli/main.ts', 90);
      at('dist/cli/main.js', 50);
      at('dist/.build-stamp', 50);
      assert.equal(pick(root, {}), 'dist');
      at('src/core/deep/b.ts', 10);
      assert.equal(pick(root, {}), 'source', 'a source edited after the build');
      at('dist/.build-stamp', 0);
      assert.equal(pick(root, {}), 'dist', 'built again');
      assert.equal(pick(root, { FEDBROKER_FROM_SOURCE: '1' }), 'source');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('takes the sources without a complete build, and dist/ in an image without sources', () => {
    const { root, at } = checkout();
    try {
      at('src/cli/main.ts', 100);
      at('dist/cli/main.js', 10);
      assert.equal(pick(root, {}), 'source', 'no build stamp: the build did not finish');
      at('dist/.build-stamp', 10);
      rmSync(join(root, 'src'), { recursive: true });
      assert.equal(pick(root, {}), 'dist');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
