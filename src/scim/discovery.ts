// Discovery (RFC 7644 §4): ServiceProviderConfig, Schemas and ResourceTypes, telling the truth.
import type { ScimEnv, ScimResult } from './context';
import { MAX_RESULTS } from './context';
import { notFound } from './errors';
import { ENTERPRISE_SCHEMA, GROUP_SCHEMA, LIST_SCHEMA, SCHEMA_DESCRIPTIONS, USER_SCHEMA } from './schema';

export const MAX_PAYLOAD_BYTES = 4 * 1024 * 1024;
export const MAX_BULK_OPERATIONS = 1000;

export function serviceProviderConfig(env: ScimEnv): ScimResult {
  return {
    status: 200,
    body: {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
      documentationUri: `${env.baseUrl.replace(/\/scim\/v2$/, '')}/docs`,
      patch: { supported: true },
      bulk: { supported: true, maxOperations: MAX_BULK_OPERATIONS, maxPayloadSize: MAX_PAYLOAD_BYTES },
      filter: { supported: true, maxResults: MAX_RESULTS },
      changePassword: { supported: false },
      sort: { supported: true },
      etag: { supported: true },
      authenticationSchemes: [
        {
          type: 'oauthbearertoken',
          name: 'OAuth Bearer Token',
          description: 'A SCIM token from `mspbridge scim-token create`, or an access token from the client-credentials grant.',
          specUri: 'https://www.rfc-editor.org/rfc/rfc6750',
          primary: true,
        },
        {
          type: 'oauth2',
          name: 'OAuth 2.0 client credentials',
          description: `POST ${env.baseUrl.replace(/\/scim\/v2$/, '')}/oauth/token with grant_type=client_credentials and the client from \`mspbridge scim-client create\`; send the access token as a bearer token.`,
          specUri: 'https://www.rfc-editor.org/rfc/rfc6749#section-4.4',
        },
      ],
      meta: { resourceType: 'ServiceProviderConfig', location: `${env.baseUrl}/ServiceProviderConfig` },
    },
  };
}

function schemaResource(env: ScimEnv, s: (typeof SCHEMA_DESCRIPTIONS)[number]) {
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:Schema'],
    ...s,
    meta: { resourceType: 'Schema', location: `${env.baseUrl}/Schemas/${s.id}` },
  };
}

const RESOURCE_TYPES = [
  {
    id: 'User',
    name: 'User',
    endpoint: '/Users',
    description: 'People of the account',
    schema: USER_SCHEMA,
    schemaExtensions: [{ schema: ENTERPRISE_SCHEMA, required: false }],
  },
  { id: 'Group', name: 'Group', endpoint: '/Groups', description: 'Groups pushed by the IdP', schema: GROUP_SCHEMA, schemaExtensions: [] },
];

function typeResource(env: ScimEnv, t: (typeof RESOURCE_TYPES)[number]) {
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'],
    ...t,
    meta: { resourceType: 'ResourceType', location: `${env.baseUrl}/ResourceTypes/${t.id}` },
  };
}

const list = (items: unknown[]) => ({
  status: 200,
  body: { schemas: [LIST_SCHEMA], totalResults: items.length, startIndex: 1, itemsPerPage: items.length, Resources: items },
});

export function schemas(env: ScimEnv, id?: string): ScimResult {
  if (id === undefined) return list(SCHEMA_DESCRIPTIONS.map((s) => schemaResource(env, s)));
  const s = SCHEMA_DESCRIPTIONS.find((d) => d.id.toLowerCase() === id.toLowerCase());
  if (!s) throw notFound(`Schema ${id} not found.`);
  return { status: 200, body: schemaResource(env, s) };
}

export function resourceTypes(env: ScimEnv, id?: string): ScimResult {
  if (id === undefined) return list(RESOURCE_TYPES.map((t) => typeResource(env, t)));
  const t = RESOURCE_TYPES.find((r) => r.id.toLowerCase() === id.toLowerCase());
  if (!t) throw notFound(`ResourceType ${id} not found.`);
  return { status: 200, body: typeResource(env, t) };
}
