import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { lookup as dnsLookupAll } from 'node:dns/promises';
import { isIP, type LookupFunction } from 'node:net';
import { domainToASCII } from 'node:url';
import ipaddr from 'ipaddr.js';
import { buildConnector } from 'undici';
import { HubError } from '../core/index.js';

export interface UpstreamAddressPolicy {
  /**
   * Hosts ('api.example.com'; '*.example.com' matches subdomains only), CIDRs ('10.1.0.0/16', 'fd00::/8') or single
   * addresses ('169.254.169.254'). When non-empty, a URL must match one entry: a host pattern on its hostname, or CIDRs
   * covering every resolved address. A matching entry overrides every category refusal, metadata included.
   */
  allow: readonly string[];
  /** 10/8, 172.16/12, 192.168/16, 100.64/10 (CGNAT), fc00::/7 */
  allowPrivate: boolean;
  /** 127/8, ::1, `localhost` and `*.localhost` */
  allowLoopback: boolean;
  /** 169.254/16, fe80::/10 — never the cloud metadata addresses inside them, which only an `allow` entry opens. */
  allowLinkLocal: boolean;
  requireHttps: boolean;
}

export const DEFAULT_UPSTREAM_ADDRESS_POLICY: UpstreamAddressPolicy = {
  allow: [],
  allowPrivate: true,
  allowLoopback: true,
  allowLinkLocal: false,
  requireHttps: false,
};

export type AddressCategory = 'public' | 'private' | 'loopback' | 'link-local' | 'metadata' | 'unspecified' | 'multicast' | 'reserved';

export type AddressResolver = (hostname: string) => Promise<{ address: string; family: number }[]>;

type Address = ipaddr.IPv4 | ipaddr.IPv6;
type Cidr = [Address, number];

// AWS/GCP/Azure/OCI IMDS, AWS ECS task metadata, Alibaba Cloud, AWS IMDS over IPv6.
const METADATA_ADDRESSES = new Set(['169.254.169.254', '169.254.170.2', '100.100.100.200', 'fd00:ec2::254'].map(normalisedKey));
const METADATA_HOSTNAMES = new Set(['metadata.google.internal', 'metadata.goog', 'metadata']);
const NAT64_WELL_KNOWN: Cidr = ipaddr.parseCIDR('64:ff9b::/96');
const IPV4_COMPATIBLE: Cidr = ipaddr.parseCIDR('::/96');
// Outside 2000::/3 IANA has allocated nothing for global unicast, so whatever ipaddr.js calls plain "unicast" there
// (unassigned space) is no honest upstream.
const IPV6_GLOBAL_UNICAST: Cidr = ipaddr.parseCIDR('2000::/3');

const IPV4_CATEGORIES: Record<ReturnType<ipaddr.IPv4['range']>, AddressCategory> = {
  unicast: 'public',
  unspecified: 'unspecified',
  broadcast: 'reserved',
  multicast: 'multicast',
  linkLocal: 'link-local',
  loopback: 'loopback',
  carrierGradeNat: 'private',
  private: 'private',
  reserved: 'reserved',
  benchmarking: 'reserved',
  as112: 'public',
  amt: 'public',
};

function normalisedKey(address: string): string {
  return ipaddr.parse(address).toNormalizedString();
}

/**
 * IPv4-mapped, deprecated IPv4-compatible (::a.b.c.d, which ipaddr.js already reads as mapped when written dotted)
 * and well-known-prefix NAT64 addresses reach an IPv4 host, so they are judged as that host.
 */
function effectiveAddress(address: Address): Address {
  if (address instanceof ipaddr.IPv6) {
    if (address.isIPv4MappedAddress()) return address.toIPv4Address();
    const embedsIpv4 =
      address.match(NAT64_WELL_KNOWN) ||
      (address.match(IPV4_COMPATIBLE) && address.range() !== 'unspecified' && address.range() !== 'loopback');
    if (embedsIpv4) return ipaddr.fromByteArray(address.toByteArray().slice(12));
  }
  return address;
}

function categoryOf(parsed: Address): AddressCategory {
  const address = effectiveAddress(parsed);
  if (METADATA_ADDRESSES.has(address.toNormalizedString())) return 'metadata';
  if (address instanceof ipaddr.IPv4) return IPV4_CATEGORIES[address.range()] ?? 'reserved';
  switch (address.range()) {
    case 'unspecified':
      return 'unspecified';
    case 'loopback':
      return 'loopback';
    case 'linkLocal':
      return 'link-local';
    case 'multicast':
      return 'multicast';
    case 'uniqueLocal':
      return 'private';
    case 'unicast':
    case 'amt':
    case 'as112v6':
      return address.match(IPV6_GLOBAL_UNICAST) ? 'public' : 'reserved';
    default:
      // 6to4, Teredo, local-use NAT64, ORCHIDs, documentation, benchmarking, site-local, discard, SRv6…
      return 'reserved';
  }
}

function parseAddress(address: string): Address | undefined {
  const bare = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  return ipaddr.isValid(bare) ? ipaddr.parse(bare) : undefined;
}

/** The category of an IP address (IPv4-mapped and NAT64 IPv6 as their IPv4); throws a TypeError for anything else. */
export function classifyAddress(address: string): AddressCategory {
  const parsed = parseAddress(address);
  if (parsed === undefined) throw new TypeError(`not an IP address: ${address}`);
  return categoryOf(parsed);
}

/** Validates the `allow` entries (so config loading can fail fast); returns problems as strings. */
export function allowEntryProblems(allow: readonly string[]): string[] {
  const problems: string[] = [];
  allow.forEach((entry, index) => {
    const problem = entryProblem(entry);
    if (problem !== undefined) problems.push(`security.upstream_urls.allow[${index}] ${JSON.stringify(entry)}: ${problem}`);
  });
  return problems;
}

const HOST_LABEL = /^(?!-)[a-z0-9_-]{1,63}(?<!-)$/;

function entryProblem(entry: string): string | undefined {
  if (entry.trim() === '') return 'is empty';
  if (entry !== entry.trim()) return 'has surrounding spaces';
  if (entry.includes('/')) {
    if (entry.includes('://')) return 'write the host name only, without scheme, port or path';
    const ipv4 = entry.includes('.') && !entry.includes(':');
    if (ipv4 ? !ipaddr.IPv4.isValidCIDRFourPartDecimal(entry) : !ipaddr.IPv6.isValidCIDR(entry)) {
      return 'is not a valid CIDR (e.g. 10.1.0.0/16 or fd00::/8)';
    }
    const network = ipv4 ? ipaddr.IPv4.networkAddressFromCIDR(entry) : ipaddr.IPv6.networkAddressFromCIDR(entry);
    const [address, bits] = ipaddr.parseCIDR(entry);
    const hostBitsSet = network.toNormalizedString() !== address.toNormalizedString();
    return hostBitsSet ? `has host bits set; did you mean ${network.toString()}/${bits}?` : undefined;
  }
  if (entry.includes(':')) return ipaddr.IPv6.isValid(entry) ? undefined : 'is neither a valid IPv6 address nor a host name';
  if (ipaddr.IPv4.isValidFourPartDecimal(entry)) return undefined;
  if (entry === '*') return "'*' would allow every host; leave the list empty to rely on the category switches";
  const domain = hostPatternDomain(entry);
  if (domain === undefined) return "is not a valid host name, host pattern ('*.example.com'), IP address or CIDR";
  return undefined;
}

/** The ASCII domain of a host pattern ('*.' prefix removed), or undefined when it is no valid host name. */
function hostPatternDomain(pattern: string): string | undefined {
  const domain = domainToASCII(stripTrailingDot(pattern.startsWith('*.') ? pattern.slice(2) : pattern).toLowerCase());
  if (domain === '' || domain.length > 253) return undefined;
  const labels = domain.split('.');
  if (!labels.every((label) => HOST_LABEL.test(label))) return undefined;
  // WHATWG URL turns a host with a numeric last label into an IPv4 address, so such a pattern could never match.
  if (/^(\d+|0x[0-9a-f]*)$/.test(labels.at(-1) ?? '')) return undefined;
  return domain;
}

function stripTrailingDot(host: string): string {
  return host.endsWith('.') ? host.slice(0, -1) : host;
}

interface CompiledPolicy {
  policy: UpstreamAddressPolicy;
  exactHosts: Set<string>;
  /** '.example.com' for '*.example.com' */
  hostSuffixes: string[];
  cidrs: Cidr[];
}

function compile(policy: UpstreamAddressPolicy): CompiledPolicy {
  const compiled: CompiledPolicy = { policy, exactHosts: new Set(), hostSuffixes: [], cidrs: [] };
  // Entries with problems match nothing: a typo must close the door, not open it.
  for (const entry of policy.allow) {
    if (entryProblem(entry) !== undefined) continue;
    if (entry.includes('/')) compiled.cidrs.push(ipaddr.parseCIDR(entry));
    else if (ipaddr.isValid(entry)) {
      const address = ipaddr.parse(entry);
      compiled.cidrs.push([address, address.kind() === 'ipv4' ? 32 : 128]);
    } else {
      const domain = hostPatternDomain(entry);
      if (domain === undefined) continue;
      if (entry.startsWith('*.')) compiled.hostSuffixes.push(`.${domain}`);
      else compiled.exactHosts.add(domain);
    }
  }
  return compiled;
}

function matchesHostPattern(compiled: CompiledPolicy, host: string): boolean {
  return compiled.exactHosts.has(host) || compiled.hostSuffixes.some((suffix) => host.endsWith(suffix));
}

function coveredByCidr(compiled: CompiledPolicy, address: Address): boolean {
  const candidates = [address, effectiveAddress(address)];
  return compiled.cidrs.some(([network, bits]) =>
    candidates.some((candidate) => candidate.kind() === network.kind() && candidate.match(network, bits)),
  );
}

const ALLOW_LIST = 'security.upstream_urls.allow';

const CATEGORY_PHRASES: Record<Exclude<AddressCategory, 'public'>, { phrase: string; remedy: string }> = {
  private: { phrase: 'a private address', remedy: 'set security.upstream_urls.allow_private: true' },
  loopback: { phrase: 'a loopback address', remedy: 'set security.upstream_urls.allow_loopback: true' },
  'link-local': { phrase: 'a link-local address', remedy: 'set security.upstream_urls.allow_link_local: true' },
  metadata: { phrase: 'a cloud metadata address', remedy: `allow it explicitly under ${ALLOW_LIST}` },
  unspecified: { phrase: 'an unspecified address', remedy: `allow it explicitly under ${ALLOW_LIST}` },
  multicast: { phrase: 'a multicast address', remedy: `allow it explicitly under ${ALLOW_LIST}` },
  reserved: { phrase: 'a reserved or special-purpose address', remedy: `allow it explicitly under ${ALLOW_LIST}` },
};

function categoryAllowed(policy: UpstreamAddressPolicy, category: AddressCategory): boolean {
  switch (category) {
    case 'public':
      return true;
    case 'private':
      return policy.allowPrivate;
    case 'loopback':
      return policy.allowLoopback;
    case 'link-local':
      return policy.allowLinkLocal;
    case 'metadata':
    case 'unspecified':
    case 'multicast':
    case 'reserved':
      return false;
  }
}

interface Refusal {
  /** The sentence after "Invalid base_url: "; never holds URL credentials. */
  reason: string;
  address?: string;
  category?: AddressCategory;
}

function displayAddress(address: Address): string {
  const effective = effectiveAddress(address);
  return effective === address ? address.toString() : `${address.toString()} (${effective.toString()})`;
}

/** A refusal for one address of `host` (undefined when the host was an IP literal), or undefined if it may be used. */
function addressRefusal(compiled: CompiledPolicy, address: Address, host: string | undefined): Refusal | undefined {
  const subject = host === undefined ? `${displayAddress(address)} is` : `host ${host} resolves to ${displayAddress(address)},`;
  if (compiled.policy.allow.length > 0) {
    if (coveredByCidr(compiled, address)) return undefined;
    const which = host === undefined ? '' : ' which is';
    return { reason: `${subject}${which} not covered by the upstream URL allow list (${ALLOW_LIST})`, address: address.toString() };
  }
  const category = categoryOf(address);
  if (category === 'public' || categoryAllowed(compiled.policy, category)) return undefined;
  const { phrase, remedy } = CATEGORY_PHRASES[category];
  return { reason: `${subject} ${phrase}, which the upstream URL policy refuses (${remedy})`, address: address.toString(), category };
}

type HostVerdict = { kind: 'allowed' } | { kind: 'refused'; refusal: Refusal } | { kind: 'resolve' };

/** What can be decided from the host name alone, before any DNS. `host` is lower-case without a trailing dot. */
function hostVerdict(compiled: CompiledPolicy, host: string): HostVerdict {
  if (compiled.policy.allow.length > 0) {
    if (matchesHostPattern(compiled, host)) return { kind: 'allowed' };
    if (compiled.cidrs.length > 0) return { kind: 'resolve' };
    return { kind: 'refused', refusal: { reason: `host ${host} does not match any entry of the upstream URL allow list (${ALLOW_LIST})` } };
  }
  if (METADATA_HOSTNAMES.has(host)) {
    return {
      kind: 'refused',
      refusal: {
        reason: `host ${host} is a cloud metadata host name, which the upstream URL policy refuses (${CATEGORY_PHRASES.metadata.remedy})`,
        category: 'metadata',
      },
    };
  }
  if ((host === 'localhost' || host.endsWith('.localhost')) && !compiled.policy.allowLoopback) {
    return {
      kind: 'refused',
      refusal: {
        reason: `host ${host} is a loopback name, which the upstream URL policy refuses (${CATEGORY_PHRASES.loopback.remedy})`,
        category: 'loopback',
      },
    };
  }
  return { kind: 'resolve' };
}

function canonicalHost(hostname: string): string {
  const bare = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  return stripTrailingDot(bare).toLowerCase();
}

const defaultResolver: AddressResolver = (hostname) => dnsLookupAll(hostname, { all: true, verbatim: true });

/**
 * Throws HubError('INVALID_REQUEST', message, { param }) when the URL may not be used. The message reads
 * "Invalid <subject>: <reason>", the subject being `param` unless given (a preset's default URL names itself).
 */
export async function checkUpstreamUrl(
  url: string,
  policy: UpstreamAddressPolicy,
  options: { resolve?: AddressResolver; param?: string; subject?: string } = {},
): Promise<void> {
  const param = options.param ?? 'base_url';
  const subject = options.subject ?? param;
  const refuse = (reason: string, cause?: unknown): HubError =>
    new HubError('INVALID_REQUEST', `Invalid ${subject}: ${reason}`, cause === undefined ? { param } : { param, cause });

  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // The input is not echoed: it may carry credentials.
    throw refuse('not a valid absolute URL (e.g. https://api.example.com/v1)');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw refuse(`scheme ${parsed.protocol.slice(0, -1)} is not supported; use https (or http)`);
  }
  if (parsed.username !== '' || parsed.password !== '') {
    throw refuse('must not contain credentials (user:password@host); configure the API key separately');
  }
  if (policy.requireHttps && parsed.protocol !== 'https:') {
    throw refuse('must use https (security.upstream_urls.require_https is on)');
  }

  const compiled = compile(policy);
  const host = canonicalHost(parsed.hostname);
  if (isIP(host) !== 0) {
    const refusal = addressRefusal(compiled, ipaddr.parse(host), undefined);
    if (refusal !== undefined) throw refuse(refusal.reason);
    return;
  }

  const verdict = hostVerdict(compiled, host);
  if (verdict.kind === 'allowed') return;
  if (verdict.kind === 'refused') throw refuse(verdict.refusal.reason);

  let answers: { address: string }[];
  try {
    answers = await (options.resolve ?? defaultResolver)(host);
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    throw refuse(`cannot resolve host ${host}: ${typeof code === 'string' ? code : String(error)}`, error);
  }
  if (answers.length === 0) throw refuse(`cannot resolve host ${host}: no addresses`);
  // Every answer must pass: a hostile DNS server can pair a public address with a private one.
  for (const answer of answers) {
    const address = parseAddress(answer.address);
    if (address === undefined) throw refuse(`cannot resolve host ${host}: invalid address in the answer`);
    const refusal = addressRefusal(compiled, address, host);
    if (refusal !== undefined) throw refuse(refusal.reason);
  }
}

export const UPSTREAM_ADDRESS_REFUSED = 'ERR_UPSTREAM_ADDRESS_REFUSED';

function refusedError(hostname: string, refusal: Refusal): NodeJS.ErrnoException {
  return Object.assign(new Error(`Upstream connection refused: ${refusal.reason}`), {
    code: UPSTREAM_ADDRESS_REFUSED,
    hostname,
    address: refusal.address,
    category: refusal.category,
  });
}

/**
 * A `lookup` for net.connect / tls.connect (undici `Agent({ connect: { lookup } })`) that resolves with dns.lookup and
 * fails with code ERR_UPSTREAM_ADDRESS_REFUSED when any answer is refused, so a DNS answer that changed after
 * checkUpstreamUrl (rebinding) cannot reach a refused address. net skips `lookup` for IP literals: `guardedConnector`
 * puts those through it too.
 */
export function guardedLookup(policy: UpstreamAddressPolicy, lookup: typeof dnsLookup = dnsLookup): LookupFunction {
  const compiled = compile(policy);
  return (hostname, options, callback) => {
    const wantsAll = options?.all === true;
    const fail = (error: NodeJS.ErrnoException): void => {
      process.nextTick(() => callback(error, wantsAll ? [] : ''));
    };
    const succeed = (answers: LookupAddress[]): void => {
      const first = answers[0];
      if (wantsAll) {
        callback(null, answers);
      } else if (first === undefined) {
        callback(Object.assign(new Error(`lookup ${hostname} returned no addresses`), { code: 'ENOTFOUND' }), '');
      } else {
        callback(null, first.address, first.family);
      }
    };

    const host = canonicalHost(hostname);
    const family = isIP(host);
    if (family !== 0) {
      const refusal = addressRefusal(compiled, ipaddr.parse(host), undefined);
      if (refusal !== undefined) fail(refusedError(hostname, refusal));
      else process.nextTick(() => succeed([{ address: host, family }]));
      return;
    }
    const verdict = hostVerdict(compiled, host);
    if (verdict.kind === 'refused') {
      fail(refusedError(hostname, verdict.refusal));
      return;
    }
    lookup(hostname, { ...options, all: true }, (error, answers) => {
      if (error) {
        callback(error, wantsAll ? [] : '');
        return;
      }
      if (verdict.kind === 'resolve') {
        for (const answer of answers) {
          const address = parseAddress(answer.address);
          const refusal =
            address === undefined
              ? { reason: `host ${host} resolves to an invalid address`, address: answer.address }
              : addressRefusal(compiled, address, host);
          if (refusal !== undefined) {
            callback(refusedError(hostname, refusal), wantsAll ? [] : '');
            return;
          }
        }
      }
      succeed(answers);
    });
  };
}

/**
 * An undici connector that sends every connection through `lookup` (a `guardedLookup`): host names as net resolves
 * them, and IP literals, which net connects to without any lookup, by asking it before connecting. So no connection
 * reaches a refused address, whatever URL (a preset's default, a row stored before the policy changed) it came from.
 */
export function guardedConnector(
  lookup: LookupFunction,
  connect: buildConnector.connector = buildConnector({ lookup }),
): buildConnector.connector {
  return (options, callback) => {
    const host = canonicalHost(options.hostname);
    if (isIP(host) === 0) {
      connect(options, callback);
      return;
    }
    lookup(host, { all: true }, (error) => {
      if (error) callback(error, null);
      else connect(options, callback);
    });
  };
}
