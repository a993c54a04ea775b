// The OpenAPI 3.1 document of /api/v1, generated from the route table and its zod schemas.
import { z } from 'zod';
import { VERSION } from '../version';
import { RESPONSES, routeKey } from './responses';
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
              fields: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['path', 'message'],
                  properties: {
                    path: { type: 'string' },
                    message: { type: 'string' },
                    code: {
                      type: 'string',
                      description: 'The check that failed (too_big, too_small, invalid_format, …), for a message in the reader’s language',
                    },
                    origin: { type: 'string', description: 'What was checked: string (a length), number, …' },
                    minimum: { type: 'number' },
                    maximum: { type: 'number' },
                  },
                },
              },
            },
          },
        },
      },
    },
  },
};

const PROBLEM_REF = { $ref: '#/components/responses/Problem' };

function jsonSchema(schema: z.ZodType, io: 'input' | 'output' = 'input'): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
}

/** The schema of a route's answer (routes without one in RESPONSES are caught by a test). */
function responseSchema(r: RouteDef): Record<string, unknown> {
  const schema = RESPONSES[routeKey(r)];
  return schema ? { schema: jsonSchema(schema, 'output') } : {};
}

export function openApiDocument(routes: RouteDef[], publicUrl: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const path = r.path.replace(/:(\w+)/g, '{$1}');
    const params = [...r.path.matchAll(/:(\w+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    const query = r.query ? jsonSchema(r.query as z.ZodType) : undefined;
    const queryParams =
      query && typeof query.properties === 'object'
        ? Object.entries(query.properties as Record<string, unknown>).map(([name, schema]) => ({
            name,
            in: 'query',
            required: Array.isArray(query.required) && query.required.includes(name),
            schema,
          }))
        : [];
    paths[path] ??= {};
    paths[path][r.method] = {
      summary: r.summary,
      tags: [r.tag],
      'x-action': r.action,
      'x-callers': callersOf(r),
      description: `Policy action ${r.action}; callers: ${callersOf(r).join(', ')}.${r.scope === 'account' ? ' An MSP person acts in a managed company with the X-Launch-Token of a launch session ("launched").' : ''}`,
      parameters: [
        ...params,
        ...queryParams,
        ...(r.scope === 'account' ? [{ name: 'X-Launch-Token', in: 'header', required: false, schema: { type: 'string' } }] : []),
      ],
      ...(r.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(r.body as z.ZodType) } } } } : {}),
      responses: {
        [String(r.status ?? 200)]: { description: 'Success', ...(r.status === 204 ? {} : { content: { 'application/json': responseSchema(r) } }) },
        400: PROBLEM_REF,
        401: PROBLEM_REF,
        403: PROBLEM_REF,
        404: PROBLEM_REF,
        409: PROBLEM_REF,
      },
      security: [{ bearer: [] }, { session: [] }],
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'mspbridge API', version: VERSION, description: 'Manage companies, technicians, launches, vaults, recovery and provisioning.' },
    servers: [{ url: `${publicUrl}/api/v1` }],
    components: {
      responses: { Problem: problem },
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'An API token (msb_api_…) from POST /api-tokens' },
        session: { type: 'apiKey', in: 'cookie', name: 'msb_session', description: 'A console session; unsafe requests also send X-CSRF-Token' },
      },
    },
    paths,
  };
}
