/**
 * Community ID flow hash v1 (https://github.com/corelight/community-id-spec), as Elasticsearch's
 * `community_id` processor computes `network.community_id` for TCP and UDP flows (seed 0).
 */
import { createHash } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';

const PROTOCOLS: Record<string, number> = { tcp: 6, udp: 17, sctp: 132 };

/** Address bytes: 4 for IPv4, 16 for IPv6 (`::` and embedded IPv4 understood). */
export function addressBytes(ip: string): Buffer | undefined {
  if (isIPv4(ip)) return Buffer.from(ip.split('.').map(Number));
  if (!isIPv6(ip)) return undefined;
  let text = ip.split('%')[0] as string;
  const tail: number[] = [];
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const b = (v4[1] as string).split('.').map(Number);
    tail.push(((b[0] as number) << 8) | (b[1] as number), ((b[2] as number) << 8) | (b[3] as number));
    text = text.slice(0, -(v4[1] as string).length) + '0:0';
  }
  const [head, rest] = text.includes('::') ? (text.split('::') as [string, string]) : [text, undefined];
  const headParts = head ? head.split(':') : [];
  const restParts = rest !== undefined && rest !== '' ? rest.split(':') : [];
  const groups = rest === undefined ? headParts : [...headParts, ...Array(8 - headParts.length - restParts.length).fill('0'), ...restParts];
  if (groups.length !== 8) return undefined;
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  if (tail.length) {
    out.writeUInt16BE(tail[0] as number, 12);
    out.writeUInt16BE(tail[1] as number, 14);
  }
  return out;
}

export function communityId(
  sourceIp: string | undefined,
  destinationIp: string | undefined,
  sourcePort: number | undefined,
  destinationPort: number | undefined,
  transport: string | undefined,
): string | undefined {
  if (!sourceIp || !destinationIp || sourcePort === undefined || destinationPort === undefined || !transport) return undefined;
  const proto = PROTOCOLS[transport.toLowerCase()];
  if (proto === undefined) return undefined;
  let src = addressBytes(sourceIp);
  let dst = addressBytes(destinationIp);
  if (!src || !dst || src.length !== dst.length) return undefined;
  let sport = sourcePort;
  let dport = destinationPort;
  const cmp = Buffer.compare(src, dst);
  if (cmp > 0 || (cmp === 0 && sport > dport)) {
    [src, dst] = [dst, src];
    [sport, dport] = [dport, sport];
  }
  const header = Buffer.alloc(2);
  const ports = Buffer.alloc(6);
  ports.writeUInt8(proto, 0);
  ports.writeUInt8(0, 1);
  ports.writeUInt16BE(sport, 2);
  ports.writeUInt16BE(dport, 4);
  const digest = createHash('sha1').update(Buffer.concat([header, src, dst, ports])).digest('base64');
  return `1:${digest}`;
}
