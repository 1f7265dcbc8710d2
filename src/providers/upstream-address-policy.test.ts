import type * as dns from 'node:dns';
import { createServer } from 'node:http';
import type { AddressInfo, LookupFunction } from 'node:net';
import { Agent, type buildConnector, request } from 'undici';
import { describe, expect, it } from 'vitest';
import { HubError } from '../core/index.js';
import {
  type AddressResolver,
  allowEntryProblems,
  checkUpstreamUrl,
  classifyAddress,
  DEFAULT_UPSTREAM_ADDRESS_POLICY,
  guardedConnector,
  guardedLookup,
  type UpstreamAddressPolicy,
} from './upstream-address-policy.js';
import { UpstreamClient } from './upstream-request.js';

const policy = (overrides: Partial<UpstreamAddressPolicy> = {}): UpstreamAddressPolicy => ({
  ...DEFAULT_UPSTREAM_ADDRESS_POLICY,
  ...overrides,
});

const resolvesTo =
  (...addresses: string[]): AddressResolver =>
  async () =>
    addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

const noDns: AddressResolver = async (hostname) => {
  throw new Error(`unexpected DNS lookup of ${hostname}`);
};

async function refusal(url: string, urlPolicy: UpstreamAddressPolicy, resolve: AddressResolver = noDns): Promise<HubError> {
  const error = await checkUpstreamUrl(url, urlPolicy, { resolve }).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof HubError)) throw new Error(`expected ${url} to be refused with a HubError, got ${String(error)}`);
  return error;
}

describe('classifyAddress', () => {
  it.each([
    ['8.8.8.8', 'public'],
    ['2606:4700:4700::1111', 'public'],
    ['10.0.0.5', 'private'],
    ['172.16.3.4', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'private'],
    ['fd12:3456::1', 'private'],
    ['127.0.0.1', 'loopback'],
    ['127.8.9.10', 'loopback'],
    ['::1', 'loopback'],
    ['169.254.1.1', 'link-local'],
    ['fe80::1', 'link-local'],
    ['169.254.169.254', 'metadata'],
    ['169.254.170.2', 'metadata'],
    ['100.100.100.200', 'metadata'],
    ['fd00:ec2::254', 'metadata'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['::', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['ff02::1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['240.0.0.1', 'reserved'],
    ['192.0.2.1', 'reserved'],
    ['2001:db8::1', 'reserved'],
    ['2002:a9fe:a9fe::1', 'reserved'],
    ['::127.0.0.1', 'loopback'],
    ['::a9fe:a9fe', 'metadata'],
    ['100::1', 'reserved'],
    ['4000::1', 'reserved'],
    ['::ffff:169.254.169.254', 'metadata'],
    ['[::ffff:a9fe:a9fe]', 'metadata'],
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['64:ff9b::a9fe:a9fe', 'metadata'],
    ['64:ff9b::8.8.8.8', 'public'],
  ])('%s is %s', (address, category) => {
    expect(classifyAddress(address)).toBe(category);
  });

  it('rejects what is not an IP address', () => {
    expect(() => classifyAddress('example.com')).toThrow(TypeError);
  });
});

describe('checkUpstreamUrl with the default policy', () => {
  it('accepts a public host after resolving it', async () => {
    const asked: string[] = [];
    const resolve: AddressResolver = async (hostname) => {
      asked.push(hostname);
      return [{ address: '162.159.140.245', family: 4 }];
    };
    await expect(checkUpstreamUrl('https://api.openai.com/v1', DEFAULT_UPSTREAM_ADDRESS_POLICY, { resolve })).resolves.toBeUndefined();
    expect(asked).toEqual(['api.openai.com']);
  });

  it('accepts loopback and private IP literals without DNS', async () => {
    for (const url of ['http://127.0.0.1:8080/v1', 'http://10.0.0.5/v1', 'http://[::1]:11434/']) {
      await expect(checkUpstreamUrl(url, DEFAULT_UPSTREAM_ADDRESS_POLICY, { resolve: noDns })).resolves.toBeUndefined();
    }
  });

  it.each([
    [
      'http://169.254.169.254/latest/meta-data/',
      /^Invalid base_url: 169\.254\.169\.254 is a cloud metadata address, .*security\.upstream_urls\.allow\)$/,
    ],
    ['http://[::ffff:169.254.169.254]/', /::ffff:a9fe:a9fe \(169\.254\.169\.254\) is a cloud metadata address/],
    ['http://2852039166/', /169\.254\.169\.254 is a cloud metadata address/],
    ['http://0251.0376.0251.0376/', /169\.254\.169\.254 is a cloud metadata address/],
    ['http://0xa9.0xfe.0xa9.0xfe/', /169\.254\.169\.254 is a cloud metadata address/],
    ['http://[fd00:ec2::254]/', /is a cloud metadata address/],
    ['http://metadata.google.internal/computeMetadata/v1/', /host metadata\.google\.internal is a cloud metadata host name/],
    ['http://METADATA.google.internal./', /host metadata\.google\.internal is a cloud metadata host name/],
    ['http://metadata/', /host metadata is a cloud metadata host name/],
    ['http://0.0.0.0:8080/', /0\.0\.0\.0 is an unspecified address/],
    ['http://[::]/', /:: is an unspecified address/],
    ['http://[fe80::1]/', /fe80::1 is a link-local address, .*security\.upstream_urls\.allow_link_local: true/],
    ['http://169.254.10.10/', /a link-local address/],
    ['http://224.0.0.1/', /a multicast address/],
    ['http://255.255.255.255/', /a reserved or special-purpose address/],
  ])('refuses %s', async (url, message) => {
    const error = await refusal(url, DEFAULT_UPSTREAM_ADDRESS_POLICY);
    expect(error.code).toBe('INVALID_REQUEST');
    expect(error.status).toBe(400);
    expect(error.details.param).toBe('base_url');
    expect(error.message).toMatch(message);
  });

  it('names the host and the address it resolved to', async () => {
    const error = await refusal('https://metadata.internal.example/v1', DEFAULT_UPSTREAM_ADDRESS_POLICY, resolvesTo('169.254.169.254'));
    expect(error.message).toBe(
      'Invalid base_url: host metadata.internal.example resolves to 169.254.169.254, a cloud metadata address, ' +
        'which the upstream URL policy refuses (allow it explicitly under security.upstream_urls.allow)',
    );
  });

  it('refuses a host when any one of its addresses is refused', async () => {
    const error = await refusal(
      'https://rebind.example/v1',
      DEFAULT_UPSTREAM_ADDRESS_POLICY,
      resolvesTo('93.184.216.34', '169.254.169.254'),
    );
    expect(error.message).toMatch(/host rebind\.example resolves to 169\.254\.169\.254, a cloud metadata address/);
  });

  it('uses the given param name', async () => {
    const promise = checkUpstreamUrl('http://169.254.169.254/', DEFAULT_UPSTREAM_ADDRESS_POLICY, { param: 'providers[0].base_url' });
    await expect(promise).rejects.toMatchObject({
      details: { param: 'providers[0].base_url' },
      message: /^Invalid providers\[0\]\.base_url: /,
    });
  });
});

describe('checkUpstreamUrl with category switches', () => {
  it('refuses private addresses, literal or resolved, when allowPrivate is false', async () => {
    const closed = policy({ allowPrivate: false });
    expect((await refusal('http://10.1.2.3/v1', closed)).message).toMatch(
      /10\.1\.2\.3 is a private address, .*security\.upstream_urls\.allow_private: true/,
    );
    expect((await refusal('https://llm.corp.example/', closed, resolvesTo('192.168.1.1'))).message).toMatch(
      /host llm\.corp\.example resolves to 192\.168\.1\.1, a private address, .*allow_private/,
    );
    expect((await refusal('http://100.64.1.1/', closed)).message).toMatch(/a private address/);
    expect((await refusal('http://[fd12::1]/', closed)).message).toMatch(/a private address/);
  });

  it('refuses loopback, including localhost by name before DNS, when allowLoopback is false', async () => {
    const closed = policy({ allowLoopback: false });
    expect((await refusal('http://127.0.0.1:8080/', closed)).message).toMatch(/a loopback address, .*allow_loopback: true/);
    expect((await refusal('http://localhost:8080/', closed)).message).toMatch(/host localhost is a loopback name, .*allow_loopback/);
    expect((await refusal('http://ollama.localhost/', closed)).message).toMatch(/host ollama\.localhost is a loopback name/);
  });

  it('opens link-local with allowLinkLocal but keeps the metadata addresses shut', async () => {
    const open = policy({ allowLinkLocal: true });
    await expect(checkUpstreamUrl('http://169.254.10.10/', open)).resolves.toBeUndefined();
    await expect(checkUpstreamUrl('http://[fe80::1]/', open)).resolves.toBeUndefined();
    expect((await refusal('http://169.254.169.254/', open)).message).toMatch(/a cloud metadata address/);
  });

  it('refuses plain http when requireHttps is set', async () => {
    const strict = policy({ requireHttps: true });
    expect((await refusal('http://api.example.com/v1', strict)).message).toBe(
      'Invalid base_url: must use https (security.upstream_urls.require_https is on)',
    );
    await expect(checkUpstreamUrl('https://api.example.com/v1', strict, { resolve: resolvesTo('93.184.216.34') })).resolves.toBeUndefined();
  });
});

describe('checkUpstreamUrl with an allow list', () => {
  it('accepts hosts matching a pattern without DNS and refuses everything else', async () => {
    const listed = policy({ allow: ['*.example.com'] });
    await expect(checkUpstreamUrl('https://api.example.com/v1', listed, { resolve: noDns })).resolves.toBeUndefined();
    expect((await refusal('https://other.org/v1', listed)).message).toBe(
      'Invalid base_url: host other.org does not match any entry of the upstream URL allow list (security.upstream_urls.allow)',
    );
    // '*.' matches subdomains only.
    expect((await refusal('https://example.com/', listed)).message).toMatch(/does not match any entry/);
    expect((await refusal('http://10.0.0.5/', listed)).message).toMatch(/10\.0\.0\.5 is not covered by the upstream URL allow list/);
  });

  it('makes the metadata address acceptable when a CIDR covers it', async () => {
    const listed = policy({ allow: ['169.254.169.254/32'] });
    await expect(checkUpstreamUrl('http://169.254.169.254/', listed)).resolves.toBeUndefined();
    await expect(checkUpstreamUrl('http://[::ffff:169.254.169.254]/', listed)).resolves.toBeUndefined();
    await expect(checkUpstreamUrl('http://imds.example/', listed, { resolve: resolvesTo('169.254.169.254') })).resolves.toBeUndefined();
    expect((await refusal('https://api.openai.com/', listed, resolvesTo('162.159.140.245'))).message).toMatch(
      /resolves to 162\.159\.140\.245, which is not covered by the upstream URL allow list/,
    );
  });

  it('requires CIDRs to cover every resolved address', async () => {
    const listed = policy({ allow: ['10.1.0.0/16'] });
    await expect(checkUpstreamUrl('https://llm.corp.example/', listed, { resolve: resolvesTo('10.1.2.3') })).resolves.toBeUndefined();
    expect((await refusal('https://llm.corp.example/', listed, resolvesTo('10.1.2.3', '10.2.0.1'))).message).toMatch(
      /resolves to 10\.2\.0\.1, which is not covered/,
    );
  });

  it('ignores invalid entries instead of letting them open anything', async () => {
    expect((await refusal('http://10.0.0.1/', policy({ allow: ['10.0.0.0/33'] }))).message).toMatch(/not covered/);
  });
});

describe('checkUpstreamUrl on malformed URLs', () => {
  it('refuses credentials in the URL without repeating them', async () => {
    const error = await refusal('https://sk-user:hunter2@api.example.com/v1', DEFAULT_UPSTREAM_ADDRESS_POLICY);
    expect(error.message).toBe('Invalid base_url: must not contain credentials (user:password@host); configure the API key separately');
    expect(error.message).not.toMatch(/hunter2|sk-user/);
  });

  it('refuses unparseable URLs and other schemes', async () => {
    expect((await refusal('api.example.com/v1', DEFAULT_UPSTREAM_ADDRESS_POLICY)).message).toMatch(/not a valid absolute URL/);
    expect((await refusal('file:///etc/passwd', DEFAULT_UPSTREAM_ADDRESS_POLICY)).message).toMatch(/scheme file is not supported/);
  });

  it('explains an unresolvable host', async () => {
    const resolve: AddressResolver = async () => {
      throw Object.assign(new Error('getaddrinfo ENOTFOUND nowhere.example'), { code: 'ENOTFOUND' });
    };
    const error = await refusal('https://nowhere.example/v1', DEFAULT_UPSTREAM_ADDRESS_POLICY, resolve);
    expect(error.message).toBe('Invalid base_url: cannot resolve host nowhere.example: ENOTFOUND');
    expect(error.code).toBe('INVALID_REQUEST');
  });
});

describe('allowEntryProblems', () => {
  it('accepts hosts, patterns, addresses and CIDRs', () => {
    expect(
      allowEntryProblems([
        'api.example.com',
        '*.example.com',
        'bücher.example',
        '10.1.0.0/16',
        '169.254.169.254/32',
        'fd00::/8',
        '169.254.169.254',
        '::1',
      ]),
    ).toEqual([]);
  });

  it('flags each bad entry by index', () => {
    const problems = allowEntryProblems([
      'api.example.com',
      'not a cidr/300.1.1.1/8',
      'not a cidr',
      '300.1.1.1/8',
      '',
      '  ',
      '10.1.2.3/16',
      '10.0.0.0/33',
      'https://api.example.com',
      '*',
      'api.*.com',
      '127.1',
    ]);
    expect(problems).toHaveLength(11);
    expect(problems[0]).toMatch(/^security\.upstream_urls\.allow\[1\] "not a cidr\/300\.1\.1\.1\/8": is not a valid CIDR/);
    expect(problems[1]).toMatch(/^security\.upstream_urls\.allow\[2\] "not a cidr": is not a valid host name/);
    expect(problems[2]).toMatch(/allow\[3\] "300\.1\.1\.1\/8": is not a valid CIDR/);
    expect(problems[3]).toMatch(/allow\[4\] "": is empty/);
    expect(problems[4]).toMatch(/allow\[5\] " {2}": is empty/);
    expect(problems[5]).toMatch(/host bits set; did you mean 10\.1\.0\.0\/16\?/);
  });
});

type LookupResult = { address: string | dns.LookupAddress[]; family: number | undefined };

function callLookup(lookup: LookupFunction, hostname: string, options: dns.LookupOptions): Promise<LookupResult> {
  return new Promise((resolve, reject) => {
    lookup(hostname, options, (error, address, family) => (error ? reject(error) : resolve({ address, family })));
  });
}

function fakeDns(answers: dns.LookupAddress[], seen: dns.LookupOptions[] = []): typeof dns.lookup {
  const fake = (_hostname: string, options: dns.LookupOptions, callback: (error: null, answers: dns.LookupAddress[]) => void): void => {
    seen.push(options);
    process.nextTick(() => callback(null, answers));
  };
  return fake as unknown as typeof dns.lookup;
}

const untouchedDns = ((hostname: string) => {
  throw new Error(`unexpected DNS lookup of ${hostname}`);
}) as unknown as typeof dns.lookup;

describe('guardedLookup', () => {
  const publicAnswers: dns.LookupAddress[] = [
    { address: '2606:2800:220:1::1', family: 6 },
    { address: '93.184.216.34', family: 4 },
  ];

  it('passes a public answer through in the all:true shape', async () => {
    const seen: dns.LookupOptions[] = [];
    const lookup = guardedLookup(DEFAULT_UPSTREAM_ADDRESS_POLICY, fakeDns(publicAnswers, seen));
    expect(await callLookup(lookup, 'api.example.com', { all: true, family: 0 })).toEqual({ address: publicAnswers, family: undefined });
    expect(seen).toEqual([{ all: true, family: 0 }]);
  });

  it('passes a public answer through in the all:false shape', async () => {
    const lookup = guardedLookup(DEFAULT_UPSTREAM_ADDRESS_POLICY, fakeDns(publicAnswers));
    expect(await callLookup(lookup, 'api.example.com', { family: 0 })).toEqual({ address: '2606:2800:220:1::1', family: 6 });
  });

  it.each([true, false])('refuses an answer holding a metadata address (all: %s)', async (all) => {
    const lookup = guardedLookup(DEFAULT_UPSTREAM_ADDRESS_POLICY, fakeDns([...publicAnswers, { address: '169.254.169.254', family: 4 }]));
    const error = await callLookup(lookup, 'rebind.example', { all }).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({
      code: 'ERR_UPSTREAM_ADDRESS_REFUSED',
      hostname: 'rebind.example',
      address: '169.254.169.254',
      category: 'metadata',
      message: expect.stringMatching(/host rebind\.example resolves to 169\.254\.169\.254, a cloud metadata address/),
    });
  });

  it('classifies IP literals and metadata names without DNS', async () => {
    const lookup = guardedLookup(DEFAULT_UPSTREAM_ADDRESS_POLICY, untouchedDns);
    expect(await callLookup(lookup, '10.0.0.5', { all: true })).toEqual({
      address: [{ address: '10.0.0.5', family: 4 }],
      family: undefined,
    });
    await expect(callLookup(lookup, '169.254.169.254', {})).rejects.toMatchObject({
      code: 'ERR_UPSTREAM_ADDRESS_REFUSED',
      category: 'metadata',
    });
    await expect(callLookup(lookup, 'metadata.google.internal', { all: true })).rejects.toMatchObject({
      code: 'ERR_UPSTREAM_ADDRESS_REFUSED',
    });
  });

  it('passes DNS errors on unchanged', async () => {
    const notFound = Object.assign(new Error('getaddrinfo ENOTFOUND nowhere.example'), { code: 'ENOTFOUND' });
    const failing = ((_hostname: string, _options: dns.LookupOptions, callback: (error: Error) => void) => {
      process.nextTick(() => callback(notFound));
    }) as unknown as typeof dns.lookup;
    await expect(callLookup(guardedLookup(DEFAULT_UPSTREAM_ADDRESS_POLICY, failing), 'nowhere.example', { all: true })).rejects.toBe(
      notFound,
    );
  });
});

function errorCodes(error: unknown, seen = new Set<unknown>()): string[] {
  if (typeof error !== 'object' || error === null || seen.has(error)) return [];
  seen.add(error);
  const { code, cause, errors } = error as { code?: unknown; cause?: unknown; errors?: unknown };
  return [
    ...(typeof code === 'string' ? [code] : []),
    ...errorCodes(cause, seen),
    ...(Array.isArray(errors) ? errors.flatMap((inner) => errorCodes(inner, seen)) : []),
  ];
}

describe('guardedLookup in an undici Agent', () => {
  it('refuses to connect to a refused address and connects under the default policy', async () => {
    const server = createServer((_request, response) => response.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const guarded = new Agent({ connect: { lookup: guardedLookup(policy({ allowLoopback: false })) } });
    // A name that only the DNS answer reveals as loopback, as after a rebinding.
    const rebound = new Agent({
      connect: { lookup: guardedLookup(policy({ allowLoopback: false }), fakeDns([{ address: '127.0.0.1', family: 4 }])) },
    });
    const open = new Agent({ connect: { lookup: guardedLookup(DEFAULT_UPSTREAM_ADDRESS_POLICY) } });
    try {
      const error = await request(`http://localhost:${port}/`, { dispatcher: guarded }).catch((thrown: unknown) => thrown);
      expect(errorCodes(error)).toContain('ERR_UPSTREAM_ADDRESS_REFUSED');
      const reboundError = await request(`http://upstream.example:${port}/`, { dispatcher: rebound }).catch((thrown: unknown) => thrown);
      expect(errorCodes(reboundError)).toContain('ERR_UPSTREAM_ADDRESS_REFUSED');

      const answer = await request(`http://localhost:${port}/`, { dispatcher: open });
      expect(answer.statusCode).toBe(200);
      expect(await answer.body.text()).toBe('ok');
    } finally {
      await Promise.all([guarded.close(), rebound.close(), open.close()]);
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    }
  });
});

describe('guardedConnector', () => {
  /** Stands in for the real connector: records what would have been connected to, and connects nothing. */
  function recordingConnector(): { connect: buildConnector.connector; hosts: string[] } {
    const hosts: string[] = [];
    const connect: buildConnector.connector = (options, callback) => {
      hosts.push(options.hostname);
      callback(Object.assign(new Error('not connecting in a test'), { code: 'ETEST_NO_CONNECT' }), null);
    };
    return { connect, hosts };
  }

  const connectTo = (connector: buildConnector.connector, hostname: string): Promise<unknown> =>
    new Promise((resolve) => connector({ hostname, protocol: 'http:', port: '80' }, (...[error]) => resolve(error)));

  it('puts IP literals, which net connects to without a lookup, through the policy first', async () => {
    const { connect, hosts } = recordingConnector();
    const connector = guardedConnector(guardedLookup(policy({ allowPrivate: false, allowLoopback: false }), untouchedDns), connect);
    for (const hostname of ['127.0.0.1', '[::1]', '169.254.169.254', '10.1.2.3', '[::ffff:a9fe:a9fe]', '0.0.0.0']) {
      expect(errorCodes(await connectTo(connector, hostname)), hostname).toContain('ERR_UPSTREAM_ADDRESS_REFUSED');
    }
    expect(hosts).toEqual([]);
    // An allowed literal goes on to the real connector; names are left to the connector's own guarded lookup.
    expect(errorCodes(await connectTo(connector, '93.184.216.34'))).toContain('ETEST_NO_CONNECT');
    expect(errorCodes(await connectTo(connector, 'api.example.com'))).toContain('ETEST_NO_CONNECT');
    expect(hosts).toEqual(['93.184.216.34', 'api.example.com']);
  });

  it('keeps an upstream client off a loopback IP literal under allow_loopback: false, before any connection', async () => {
    let connections = 0;
    const server = createServer((_request, response) => response.end('{}'));
    server.on('connection', () => connections++);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const client = new UpstreamClient({
      providerId: 'preset-default',
      baseUrl: `http://127.0.0.1:${port}/v1`,
      headers: { authorization: 'Bearer sk-must-not-arrive' },
      maxConnections: 1,
      secrets: ['sk-must-not-arrive'],
      lookup: guardedLookup(policy({ allowLoopback: false })),
    });
    try {
      const error = await client.post('/chat/completions', '{}', new AbortController().signal).catch((thrown: unknown) => thrown);
      expect(error).toBeInstanceOf(HubError);
      expect((error as HubError).message).toContain('ERR_UPSTREAM_ADDRESS_REFUSED');
      expect(connections).toBe(0);
    } finally {
      await client.close();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    }
  });
});
