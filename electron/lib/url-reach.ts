// Whether a URL's host is on the public internet, judged from the URL alone: a service in a public
// cloud (Azure fetching a presigned source URL) cannot reach a loopback, private, link-local or
// LAN-only name. No DNS lookup is made: a public name that resolves to a private address (split
// DNS) counts as public here, and the fetch itself then fails, which the caller must handle anyway.
import net from 'node:net';

/** 'public': any host on the internet may reach it; 'private': only machines on the same host or network. */
export type UrlReach = 'public' | 'private';

/** Name suffixes that only resolve on a local network (RFC 6762 .local, RFC 8375 home.arpa, common LAN ones). */
const LOCAL_SUFFIXES = ['.local', '.localhost', '.internal', '.home.arpa', '.lan', '.localdomain'];

/** The reach of `url`'s host; a URL that does not parse is 'private' (nobody can fetch it). */
export function urlReach(url: string): UrlReach {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
  } catch {
    return 'private';
  }
  return hostReach(host);
}

/** The reach of a bare host name or IP address (IPv6 without brackets). */
export function hostReach(host: string): UrlReach {
  if (host === '') return 'private';
  const family = net.isIP(host);
  if (family === 4) return ipv4IsPublic(host) ? 'public' : 'private';
  if (family === 6) return ipv6IsPublic(host) ? 'public' : 'private';
  // A single label ("minio", "localhost") is resolved through the local search domains only.
  if (!host.includes('.')) return 'private';
  return LOCAL_SUFFIXES.some((suffix) => host.endsWith(suffix)) ? 'private' : 'public';
}

function ipv4IsPublic(ip: string): boolean {
  const [a, b] = ip.split('.').map(Number) as [number, number, number, number];
  if (a === 0 || a === 10 || a === 127) return false; // this network, RFC 1918, loopback
  if (a === 169 && b === 254) return false; // link-local (also cloud metadata services)
  if (a === 172 && b >= 16 && b <= 31) return false; // RFC 1918
  if (a === 192 && b === 168) return false; // RFC 1918
  if (a === 100 && b >= 64 && b <= 127) return false; // carrier-grade NAT (RFC 6598)
  if (a >= 224) return false; // multicast and reserved
  return true;
}

function ipv6IsPublic(ip: string): boolean {
  const words = expandIpv6(ip);
  if (!words) return false;
  if (words.every((w) => w === 0)) return false; // ::
  if (words.slice(0, 7).every((w) => w === 0) && words[7] === 1) return false; // ::1
  // IPv4-mapped (::ffff:a.b.c.d): the IPv4 address decides.
  if (words.slice(0, 5).every((w) => w === 0) && words[5] === 0xffff) {
    return ipv4IsPublic(`${words[6]! >> 8}.${words[6]! & 0xff}.${words[7]! >> 8}.${words[7]! & 0xff}`);
  }
  const first = words[0]!;
  if ((first & 0xfe00) === 0xfc00) return false; // unique local fc00::/7
  if ((first & 0xffc0) === 0xfe80) return false; // link-local fe80::/10
  if ((first & 0xff00) === 0xff00) return false; // multicast
  return true;
}

/** The eight 16-bit words of an IPv6 address (net.isIP already accepted it), or null. */
function expandIpv6(ip: string): number[] | null {
  let text = ip.split('%')[0]!;
  // A trailing dotted IPv4 part becomes two words.
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const parse = (part: string): number[] => (part === '' ? [] : part.split(':').map((w) => parseInt(w, 16)));
  const start = parse(head);
  const end = tail === undefined ? [] : parse(tail);
  const missing = 8 - start.length - end.length;
  if (missing < 0 || (tail === undefined && missing !== 0)) return null;
  return [...start, ...new Array<number>(missing).fill(0), ...end];
}
