// src/core/pool.ts: every item once, at most `size` under way, each with its index.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { inPool } from '../../src/core/pool.ts';

it('works every item once with its index, never more than size at once', async () => {
  let running = 0;
  let most = 0;
  const seen: string[] = [];
  await inPool(['a', 'b', 'c', 'd', 'e'], 2, async (item, index) => {
    running += 1;
    most = Math.max(most, running);
    await new Promise((r) => setTimeout(r, 5));
    seen.push(`${index}:${item}`);
    running -= 1;
  });
  assert.deepEqual(seen.sort(), ['0:a', '1:b', '2:c', '3:d', '4:e']);
  assert.equal(most, 2);
  await inPool([], 8, async () => { throw new Error('not called'); });
});
