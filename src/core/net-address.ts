// Which IP addresses the broker never calls, whatever name resolves to them and whatever form a
// literal takes: the unspecified address, link-local (cloud metadata at 169.254.169.254), the shared
// address space 100.64.0.0/10 (some clouds' metadata, e.g. 100.100.100.200), multicast and reserved,
// and IPv6 forms that embed such an IPv4 address (mapped, compatible, NAT64). Loopback and private
// ranges stay allowed: clouds on one site talk over them.

/** True for an address the outbound module refuses (IPv4 dotted, or IPv6 in any textual form). */
export function isForbiddenAddress(address: string): boolean {
  const v4 = parseIPv4(address);
  if (v4) return isForbiddenIPv4(v4);
  const v6 = parseIPv6(address);
  if (!v6) return false;
  return isForbiddenIPv6(v6);
}

/** The host of a URL when it is an IP literal (brackets removed), else undefined. */
export function ipLiteralHost(hostname: string): string | undefined {
  const bare = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  return parseIPv4(bare) || parseIPv6(bare) ? bare : undefined;
}

type IPv4 = readonly [number, number, number, number];
type IPv6 = readonly number[]; // eight 16-bit groups

function isForbiddenIPv4([a, b]: IPv4): boolean {
  return a === 0 || (a === 169 && b === 254) || (a === 100 && b >= 64 && b <= 127) || a >= 224;
}

function isForbiddenIPv6(g: IPv6): boolean {
  const zeroUpTo = (n: number) => g.slice(0, n).every((x) => x === 0);
  const embedded: IPv4 = [g[6]! >> 8, g[6]! & 0xff, g[7]! >> 8, g[7]! & 0xff];
  if (g.every((x) => x === 0)) return true; // ::
  if (zeroUpTo(7) && g[7] === 1) return false; // ::1 loopback
  if (zeroUpTo(5) && g[5] === 0xffff) return isForbiddenIPv4(embedded); // ::ffff:a.b.c.d
  if (zeroUpTo(6)) return isForbiddenIPv4(embedded); // ::a.b.c.d (IPv4-compatible, deprecated)
  if (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0)) return isForbiddenIPv4(embedded); // NAT64
  if ((g[0]! & 0xffc0) === 0xfe80) return true; // link-local
  if ((g[0]! & 0xff00) === 0xff00) return true; // multicast
  return g[0] === 0xfd00 && g[1] === 0x0ec2 && g.slice(2, 7).every((x) => x === 0) && g[7] === 0x254; // EC2 IMDS over IPv6
}

function parseIPv4(text: string): IPv4 | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p))) return undefined;
  const nums = parts.map(Number);
  return nums.every((n) => n <= 255) ? (nums as unknown as IPv4) : undefined;
}

function parseIPv6(text: string): IPv6 | undefined {
  let s = text.toLowerCase();
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  if (!/^[0-9a-f:.]+$/.test(s) || !s.includes(':')) return undefined;
  const lastColon = s.lastIndexOf(':');
  if (s.slice(lastColon + 1).includes('.')) {
    const v4 = parseIPv4(s.slice(lastColon + 1));
    if (!v4) return undefined;
    s = `${s.slice(0, lastColon + 1)}${((v4[0] << 8) | v4[1]).toString(16)}:${((v4[2] << 8) | v4[3]).toString(16)}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const groups = (h: string) => (h === '' ? [] : h.split(':'));
  const head = groups(halves[0]!);
  const rest = halves.length === 2 ? groups(halves[1]!) : [];
  if (![...head, ...rest].every((x) => /^[0-9a-f]{1,4}$/.test(x))) return undefined;
  const explicit = head.length + rest.length;
  if (halves.length === 1 ? explicit !== 8 : explicit > 7) return undefined;
  const fill = new Array<number>(8 - explicit).fill(0);
  return [...head.map((x) => parseInt(x, 16)), ...(halves.length === 2 ? fill : []), ...rest.map((x) => parseInt(x, 16))];
}

/**
 * The block an address is counted in by per-source limits: an IPv4 address itself (also when written
 * IPv4-mapped, ::ffff:a.b.c.d), an IPv6 address by its /64 (one host usually holds a whole /64, so
 * counting single addresses would let it take a fresh share per address). Anything else as given.
 */
export function sourceBlock(address: string): string {
  const v4 = parseIPv4(address);
  if (v4) return v4.join('.');
  const v6 = parseIPv6(address);
  if (!v6) return address;
  if (v6.slice(0, 5).every((x) => x === 0) && v6[5] === 0xffff) return [v6[6]! >> 8, v6[6]! & 0xff, v6[7]! >> 8, v6[7]! & 0xff].join('.');
  return `${v6.slice(0, 4).map((x) => x.toString(16)).join(':')}::/64`;
}
