import type { FastifyInstance } from 'fastify';

/**
 * `METHOD /path/{param}` for every route Fastify serves, read from its printed route tree (its
 * only public listing), HEAD twins dropped and `:param` written the OpenAPI way.
 */
export function servedRoutes(app: FastifyInstance): string[] {
  const stack: string[] = [];
  const out: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const at = line.indexOf('── ');
    if (at < 0) continue;
    const depth = (at - 1) / 4;
    const [, segment, methods] = /^(\S+)(?: \(([A-Z, ]+)\))?/.exec(line.slice(at + 3))!;
    stack.length = depth;
    stack.push(segment!);
    const path = stack.join('').replace(/:(\w+)/g, '{$1}');
    for (const method of methods?.split(', ') ?? []) if (method !== 'HEAD') out.push(`${method} ${path}`);
  }
  return out.sort();
}

interface Operation {
  summary?: string;
  security?: Array<Record<string, string[]>>;
  responses?: Record<string, { description?: string }>;
}

export type OpenApiPaths = Record<string, Record<string, Operation>>;

/** `METHOD /path` of every operation in an OpenAPI document's paths. */
export function documentedRoutes(paths: OpenApiPaths): string[] {
  return Object.entries(paths)
    .flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`))
    .sort();
}

/**
 * What is wrong with the document against the routes Fastify serves: a served route missing
 * from it, an operation not served, or an operation without a summary or a declared success
 * response (@fastify/swagger lists a schema-less route with only "Default Response"). The
 * Swagger UI's own page and asset routes under `docsPrefix` are not operations of the api.
 */
export function documentationGaps(app: FastifyInstance, paths: OpenApiPaths, docsPrefix: string): string[] {
  const served = servedRoutes(app).filter((route) => {
    const path = route.slice(route.indexOf(' ') + 1);
    return path !== docsPrefix && !path.startsWith(`${docsPrefix}/`);
  });
  const documented = documentedRoutes(paths);
  const gaps = [
    ...served.filter((route) => !documented.includes(route)).map((route) => `served but not documented: ${route}`),
    ...documented.filter((route) => !served.includes(route)).map((route) => `documented but not served: ${route}`),
  ];
  for (const [path, methods] of Object.entries(paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const name = `${method.toUpperCase()} ${path}`;
      if (!op.summary) gaps.push(`no summary: ${name}`);
      const success = Object.entries(op.responses ?? {}).filter(([status]) => status.startsWith('2'));
      if (success.length === 0 || success.some(([, r]) => r.description === 'Default Response')) gaps.push(`no response schema: ${name}`);
    }
  }
  return gaps;
}
