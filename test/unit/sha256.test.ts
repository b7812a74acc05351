// The pure SHA-256 of the core (src/core/sha256.ts) against the FIPS 180-2 examples and node:crypto.
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { base64url, sha256, sha256Base64url } from '../../src/core/sha256.ts';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const utf8 = (text: string) => new TextEncoder().encode(text);

describe('core sha256', () => {
  it('the FIPS 180-2 example digests', () => {
    assert.equal(hex(sha256(utf8(''))), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    assert.equal(hex(sha256(utf8('abc'))), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    assert.equal(hex(sha256(utf8('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'))), '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1');
    assert.equal(hex(sha256(new Uint8Array(1_000_000).fill(0x61))), 'cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0');
  });

  it('equals node:crypto for every length around the block and padding boundaries', () => {
    for (let n = 0; n <= 200; n += 1) {
      const data = Uint8Array.from({ length: n }, (_, i) => (i * 31 + n) & 0xff);
      assert.equal(hex(sha256(data)), createHash('sha256').update(data).digest('hex'), `length ${n}`);
    }
  });

  it('equals node:crypto on random input, text digests are base64url of UTF-8 (property)', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 2000 }), fc.string({ unit: 'grapheme', maxLength: 300 }), (data, text) => {
      assert.equal(hex(sha256(data)), createHash('sha256').update(data).digest('hex'));
      assert.equal(base64url(data), Buffer.from(data).toString('base64url'));
      assert.equal(sha256Base64url(text), createHash('sha256').update(text, 'utf8').digest('base64url'));
    }), { seed: 180_4, numRuns: 300 });
  });
});
