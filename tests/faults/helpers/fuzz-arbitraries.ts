import fc from 'fast-check';

export interface FuzzRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH' | 'HEAD' | 'OPTIONS';
  url: string;
  headers: Record<string, string>;
  body?: string | Buffer;
}

/** Run ids: the existing one, unknown ones, and crafted ones (traversal, key syntax, encodings, very long). */
const runId = fc.oneof(
  fc.constant('run-1'),
  fc.stringMatching(/^[A-Za-z0-9_-]{1,70}$/),
  fc.constantFrom(
    '..',
    '..%2F..%2Frun-1',
    '%2e%2e',
    'run-1%00',
    'run-1}:model:v0',
    '{run-1}',
    'run-1:*',
    '*',
    '%',
    '%zz',
    'run-1%2Fmodel',
    'a'.repeat(5000),
    '😀',
    ' ',
    '%20run-1',
  ),
  fc.string({ maxLength: 40 }).map(encodeURIComponent),
);

/** Values that cross every numeric bound of the run config. */
const wildNumber = fc.oneof(
  fc.integer({ min: -5, max: 20 }),
  fc.double(),
  fc.constantFrom(0, -1, 1e308, -1e308, 2 ** 53, 0.5, 4_294_967_296),
  fc.constant(Number.NaN),
);
const configField = fc.constantFrom(
  'method',
  'dataset',
  'model',
  'clients',
  'alpha',
  'participation',
  'rounds',
  'localEpochs',
  'batchSize',
  'lr',
  'momentum',
  'weightDecay',
  'seed',
  'trainLimit',
  'minClients',
  'graceMs',
  'roundDeadlineMs',
  'autoAdvance',
  'maxUpdateL2Norm',
  'evalEvery',
  'modelWidth',
  'dsr',
  'pd',
  '__proto__',
  'constructor',
  'unknownField',
);
const configBody = fc
  .dictionary(
    configField,
    fc.oneof(wildNumber, fc.string({ maxLength: 10 }), fc.boolean(), fc.constant(null), fc.jsonValue({ maxDepth: 2 })),
    { maxKeys: 6 },
  )
  .map((o) => JSON.stringify(o));

const body = fc.oneof(
  configBody,
  fc.json({ maxDepth: 4 }),
  fc.string({ maxLength: 200 }),
  fc.constantFrom(
    '{"__proto__":{"x":1}}',
    '{"constructor":{"prototype":{"x":1}}}',
    '{',
    '[]',
    'null',
    '"x"',
    '{"clients":1e999}',
    '{"rounds":"3"}',
    '',
  ),
  fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
  fc.integer({ min: 65_000, max: 200_000 }).map((n) => JSON.stringify({ dataDir: 'x'.repeat(n) })),
);

const path = fc.oneof(
  fc
    .tuple(
      runId,
      fc.constantFrom(
        '',
        '/rounds',
        '/stop',
        '/metrics',
        '/model',
        '/model/weights.bin',
        '/rounds/1',
        '/rounds/0',
        '/rounds/-1',
        '/rounds/abc',
        '/rounds/99999999999',
        '/nope',
      ),
    )
    .map(([id, tail]) => `/v1/runs/${id}${tail}`),
  fc.constantFrom(
    '/v1/runs',
    '/v1/runs/',
    '/v1',
    '/v1/',
    '/healthz',
    '/readyz',
    '/metrics',
    '/docs',
    '/docs/json',
    '/docs/static/index.css',
    '/docs/static/swagger-initializer.js',
    '/docs/static/%00',
    '/docs/static/..%2f..%2fpackage.json',
    '/openapi.json',
    '//v1/runs',
    '/v1//runs',
    '/V1/RUNS',
    '/v1/runs?x=1',
  ),
  fc.webPath({ size: 'small' }).map((p) => (p.startsWith('/') ? p : `/${p}`)),
  fc.string({ maxLength: 30 }).map((s) => `/v1/${encodeURIComponent(s)}`),
);

const query = fc.oneof(
  fc.constant(''),
  fc.constantFrom(
    '?version=0',
    '?version=1',
    '?version=-1',
    '?version=abc',
    '?version=1e3',
    '?version=99999',
    '?version=0&version=1',
    '?version[]=1',
    '?__proto__[x]=1',
  ),
  fc.webQueryParameters().map((q) => `?${q}`),
);

/** Authorization: valid, missing, wrong, malformed, the token in odd places. */
const authorization = (token: string) =>
  fc.oneof(
    fc.constant(`Bearer ${token}`),
    fc.constant(undefined),
    fc.constantFrom(
      `Bearer ${token}x`,
      `bearer ${token}`,
      `Bearer  ${token} `,
      'Bearer',
      `Basic ${token}`,
      token,
      `Bearer ${token.slice(0, -1)}`,
      'Bearer \u0000',
    ),
    fc.string({ maxLength: 60 }).filter((s) => /^[\x20-\x7e]*$/.test(s)),
  );

const contentType = fc.oneof(
  fc.constant('application/json'),
  fc.constant(undefined),
  fc.constantFrom(
    'text/plain',
    'application/json; charset=utf-16',
    'multipart/form-data; boundary=x',
    'application/x-www-form-urlencoded',
    'application/octet-stream',
    'application/jsonx',
    '*/*',
  ),
);

/** A random request; every generated path avoids the SSE stream of an existing run (it never ends by itself). */
export function requestArbitrary(token: string): fc.Arbitrary<FuzzRequest> {
  return fc
    .record({
      method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'),
      url: fc.tuple(path, query).map(([p, q]) => p + q),
      authorization: authorization(token),
      contentType,
      accept: fc.constantFrom(undefined, 'application/json', 'text/event-stream', '*/*', 'text/html'),
      extra: fc.dictionary(
        fc.constantFrom(
          'x-request-id',
          'x-forwarded-for',
          'content-encoding',
          'transfer-encoding-x',
          'x-junk',
          'origin',
          'range',
          'if-match',
        ),
        fc.string({ maxLength: 40 }).filter((s) => /^[\x20-\x7e]*$/.test(s)),
        { maxKeys: 3 },
      ),
      body: fc.option(body, { nil: undefined }),
    })
    .filter((r) => !/events/i.test(r.url))
    .map((r) => {
      const headers: Record<string, string> = { ...r.extra };
      if (r.authorization !== undefined) headers.authorization = r.authorization;
      if (r.contentType !== undefined && r.body !== undefined) headers['content-type'] = r.contentType;
      if (r.accept !== undefined) headers.accept = r.accept;
      const hasBody = r.body !== undefined && r.method !== 'GET' && r.method !== 'HEAD';
      return { method: r.method, url: r.url, headers, ...(hasBody ? { body: r.body } : {}) } as FuzzRequest;
    });
}
