// A short, stable, pure digest for object names and change detection (FNV-1a, 64 bit). Not for
// security: the core may not use node:crypto, and names only need to be deterministic and short.
const OFFSET = 0xcbf29ce484222325n;
const PRIME = 0x100000001b3n;
const MASK = 0xffffffffffffffffn;

/** FNV-1a 64 of the UTF-8 bytes of `text`, as 16 hex digits. */
export function fnv1a64(text: string): string {
  let hash = OFFSET;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= BigInt(byte);
    hash = (hash * PRIME) & MASK;
  }
  return hash.toString(16).padStart(16, '0');
}

/** The first `length` hex digits of the digest of the parts (joined with a separator no name contains). */
export function shortHash(parts: readonly string[], length = 10): string {
  return fnv1a64(parts.join('\u0000')).slice(0, length);
}
