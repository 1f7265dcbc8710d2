/** Routes as Fastify's printRoutes tree shows them (`printRoutes({ commonPrefix: false })`): `METHOD /full/path` for every method but HEAD. */
export function registeredRoutes(tree: string): string[] {
  const routes: string[] = [];
  const stack: string[] = [];
  for (const line of tree.split('\n')) {
    const match = /^((?:[│ ] {3})*)[├└]── (.*)$/u.exec(line);
    if (!match) continue;
    const depth = (match[1] ?? '').length / 4;
    const node = match[2] ?? '';
    const methods = /^(.*?) \(([A-Z, ]+)\)$/.exec(node);
    const segment = methods ? (methods[1] ?? '') : node;
    stack.length = depth;
    stack.push(segment);
    if (methods) for (const method of (methods[2] ?? '').split(', ')) if (method !== 'HEAD') routes.push(`${method} ${stack.join('')}`);
  }
  return routes;
}
