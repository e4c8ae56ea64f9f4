/** IPv4 and IPv6 addresses and CIDR ranges, as numbers, for IpAddress/NotIpAddress. */

export interface IpRange {
  version: 4 | 6;
  /** The address as an unsigned integer (host bits kept as written). */
  address: bigint;
  /** Prefix length; a bare address is a /32 or /128. */
  prefix: number;
}

/** Parses "203.0.113.0/24", "2001:db8::/32", or a bare address; undefined when malformed. */
export function parseIpRange(text: string): IpRange | undefined {
  const slash = text.indexOf("/");
  const host = slash < 0 ? text : text.slice(0, slash);
  const version = host.includes(":") ? 6 : 4;
  const address = version === 4 ? parseIpv4(host) : parseIpv6(host);
  if (address === undefined) return undefined;
  const width = version === 4 ? 32 : 128;
  if (slash < 0) return { version, address, prefix: width };
  const prefixText = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  return prefix <= width ? { version, address, prefix } : undefined;
}

/** Whether every address of `inner` lies in `outer`. */
export function rangeContains(outer: IpRange, inner: IpRange): boolean {
  if (outer.version !== inner.version || inner.prefix < outer.prefix) return false;
  const hostBits = BigInt((outer.version === 4 ? 32 : 128) - outer.prefix);
  return outer.address >> hostBits === inner.address >> hostBits;
}

function parseIpv4(text: string): bigint | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return undefined;
    value = (value << 8n) | BigInt(part);
  }
  return value;
}

function parseIpv6(text: string): bigint | undefined {
  let groups: number[] | undefined;
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const head = parseGroups(halves[0] as string, halves.length === 1);
  if (head === undefined) return undefined;
  if (halves.length === 1) groups = head;
  else {
    const tail = parseGroups(halves[1] as string, true);
    if (tail === undefined || head.length + tail.length > 7) return undefined;
    groups = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  }
  if (groups.length !== 8) return undefined;
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n);
}

/** Hex groups separated by colons; the last group may be a dotted IPv4 address (two groups). */
function parseGroups(text: string, mayEndInIpv4: boolean): number[] | undefined {
  if (text === "") return [];
  const parts = text.split(":");
  const groups: number[] = [];
  for (const [i, part] of parts.entries()) {
    if (mayEndInIpv4 && i === parts.length - 1 && part.includes(".")) {
      const v4 = parseIpv4(part);
      if (v4 === undefined) return undefined;
      groups.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
    } else if (/^[0-9a-fA-F]{1,4}$/.test(part)) groups.push(Number.parseInt(part, 16));
    else return undefined;
  }
  return groups;
}
