// Who may use the proxy. mockttp accepts connections from anyone who can reach the port, so the
// monitor checks every accepted socket's remote address against this list before mockttp reads a
// byte. Loopback (127.0.0.0/8 and ::1) is always allowed; everything else needs an explicit CIDR
// (e.g. the docker0 bridge). Implemented with node:net's BlockList (no dependency).
// `allows` never throws: anything it cannot judge is refused (fail closed), and the monitor
// counts the refusal as a dropped client, so a filter bug shows in `status` instead of
// escaping into the listener.
import { BlockList, isIP } from 'node:net';
import { GuardianError, type FieldProblem } from '../../lib/errors.ts';

export interface ClientFilter {
  allows(address: string | undefined): boolean;
  /** the normalised CIDR list, loopback first */
  readonly ranges: readonly string[];
}

const LOOPBACK = ['127.0.0.0/8', '::1/128'];

/** `::ffff:10.0.0.1` (IPv4 on a dual-stack socket) compares as `10.0.0.1`. */
export function normaliseAddress(address: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return m ? m[1]! : address;
}

interface ParsedCidr {
  address: string;
  prefix: number;
  family: 'ipv4' | 'ipv6';
}

/** Parse `a.b.c.d/n`, `v6/n` or a bare address; undefined when malformed. */
export function parseCidr(text: string): ParsedCidr | undefined {
  const [addrPart, prefixPart, extra] = text.trim().split('/');
  if (extra !== undefined || !addrPart) return undefined;
  const address = normaliseAddress(addrPart);
  const version = isIP(address);
  if (version === 0) return undefined;
  const max = version === 4 ? 32 : 128;
  let prefix = max;
  if (prefixPart !== undefined) {
    if (!/^\d{1,3}$/.test(prefixPart)) return undefined;
    prefix = Number(prefixPart);
    if (prefix > max) return undefined;
  }
  return { address, prefix, family: version === 4 ? 'ipv4' : 'ipv6' };
}

/** Build the filter; every malformed entry is reported at once, with its field path. */
export function createClientFilter(allowClients: readonly string[], field = 'allowClients'): ClientFilter {
  const list = new BlockList();
  const problems: FieldProblem[] = [];
  const ranges: string[] = [];
  [...LOOPBACK, ...allowClients].forEach((entry, i) => {
    const parsed = parseCidr(entry);
    if (!parsed) {
      problems.push({ path: `${field}[${i - LOOPBACK.length}]`, message: `not an IP address or CIDR range: ${JSON.stringify(entry)}` });
      return;
    }
    list.addSubnet(parsed.address, parsed.prefix, parsed.family);
    ranges.push(`${parsed.address}/${parsed.prefix}`);
  });
  if (problems.length) {
    throw new GuardianError('CONFIG_INVALID', `invalid allowed client range: ${problems.map((p) => p.path).join(', ')}`, {
      problems,
      fix: 'use CIDR notation such as 172.17.0.0/16 or a single address such as 172.17.0.2',
    });
  }
  return {
    ranges,
    allows(address) {
      try {
        if (typeof address !== 'string' || !address) return false;
        const a = normaliseAddress(address);
        const version = isIP(a);
        if (version === 0) return false;
        return list.check(a, version === 4 ? 'ipv4' : 'ipv6');
      } catch {
        return false;
      }
    },
  };
}
