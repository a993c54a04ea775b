// The OpenAPI 3.1 document of /api/v1, generated from the route table and its zod schemas.
import { z } from 'zod';
import { VERSION } from '../version';
import { callersOf, type RouteDef } from './route';

const problem = {
  description: 'A problem',
  content: {
    'application/json': {
      schema: {
        type: 'object',
        properties: {
          error: {
            type: 'object',
            required: ['code', 'message'],
            properties: {
              code: { type: 'string', description: 'Stable, machine-readable' },
              message: { type: 'string', description: 'For people (localised with Accept-Language)' },
              fields: { type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } } },
            },
          },
        },
      },
    },
  },
};

function jsonSchema(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
}

export function openApiDocument(routes: RouteDef[], publicUrl: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const path = r.path.replace(/:(\w+)/g, '{$1}');
    const params = [...r.path.matchAll(/:(\w+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    const query = r.query ? jsonSchema(r.query as z.ZodType) : undefined;
    const queryParams = query && typeof query.properties === 'object'
      ? Object.entries(query.properties as Record<string, unknown>).map(([name, schema]) => ({ name, in: 'query', required: Array.isArray(query.required) && query.required.includes(name), schema }))
      : [];
    paths[path] ??= {};
    paths[path][r.method] = {
      summary: r.summary,
      tags: [r.tag],
      'x-action': r.action,
      'x-callers': callersOf(r),
      description: `Policy action ${r.action}; callers: ${callersOf(r).join(', ')}.${r.scope === 'account' ? ' An MSP person acts in a managed company with the X-Launch-Token of a launch session ("launched").' : ''}`,
      parameters: [...params, ...queryParams, ...(r.scope === 'account' ? [{ name: 'X-Launch-Token', in: 'header', required: false, schema: { type: 'string' } }] : [])],
      ...(r.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(r.body as z.ZodType) } } } } : {}),
      responses: {
        [String(r.status ?? 200)]: { description: 'Success', ...(r.status === 204 ? {} : { content: { 'application/json': {} } }) },
        400: problem,
        401: problem,
        403: problem,
        404: problem,
        409: problem,
      },
      security: [{ bearer: [] }, { session: [] }],
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'mspbridge API', version: VERSION, description: 'Manage companies, technicians, launches, vaults, recovery and provisioning.' },
    servers: [{ url: `${publicUrl}/api/v1` }],
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'An API token (msb_api_…) from POST /api-tokens' },
        session: { type: 'apiKey', in: 'cookie', name: 'msb_session', description: 'A console session; unsafe requests also send X-CSRF-Token' },
      },
    },
    paths,
  };
}
