// /Bulk (RFC 7644 §3.7): operations in order, each in its own transaction, with bulkId references.
import type { ScimEnv, ScimResult } from './context';
import { type ScimRequest, dispatch } from './dispatch';
import type { Doc } from './document';
import { ScimError, errorBody, invalidSyntax, invalidValue, toScimError } from './errors';
import { MAX_BULK_OPERATIONS } from './discovery';
import { findKey } from './quirks';
import { BULK_RESPONSE_SCHEMA } from './schema';

interface BulkOp {
  method: string;
  bulkId?: string;
  version?: string;
  path: string;
  data?: unknown;
}

const BULK_REF = /^bulkId:(.+)$/;

function readOps(body: unknown): { ops: BulkOp[]; failOnErrors: number } {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw invalidSyntax('A BulkRequest must be a JSON object.');
  const b = body as Doc;
  const opsKey = findKey(b, 'Operations');
  const raw = opsKey ? b[opsKey] : undefined;
  if (!Array.isArray(raw)) throw invalidSyntax('A BulkRequest needs an "Operations" array.');
  if (raw.length > MAX_BULK_OPERATIONS) {
    throw new ScimError(413, undefined, `A BulkRequest may hold at most ${MAX_BULK_OPERATIONS} operations (got ${raw.length}).`);
  }
  const foeKey = findKey(b, 'failOnErrors');
  const foe = foeKey ? b[foeKey] : undefined;
  if (foe !== undefined && (typeof foe !== 'number' || !Number.isInteger(foe) || foe < 1)) {
    throw invalidValue('failOnErrors must be a positive integer.');
  }
  const seen = new Set<string>();
  const ops = raw.map((o, i): BulkOp => {
    if (!o || typeof o !== 'object' || Array.isArray(o)) throw invalidSyntax(`Operations[${i}] must be an object.`);
    const get = (k: string) => (o as Doc)[findKey(o as Doc, k) ?? k];
    const method = get('method');
    const path = get('path');
    const bulkId = get('bulkId');
    const version = get('version');
    if (typeof method !== 'string' || !/^(POST|PUT|PATCH|DELETE)$/i.test(method)) {
      throw invalidValue(`Operations[${i}].method must be POST, PUT, PATCH or DELETE.`);
    }
    if (typeof path !== 'string' || !path.startsWith('/')) throw invalidValue(`Operations[${i}].path must be a path such as "/Users".`);
    if (bulkId !== undefined && (typeof bulkId !== 'string' || !bulkId)) throw invalidValue(`Operations[${i}].bulkId must be a string.`);
    if (typeof bulkId === 'string') {
      if (seen.has(bulkId)) throw invalidValue(`bulkId "${bulkId}" is used twice.`);
      seen.add(bulkId);
    }
    if (method.toUpperCase() === 'POST' && typeof bulkId !== 'string') throw invalidValue(`Operations[${i}] (POST) needs a bulkId.`);
    return {
      method: method.toUpperCase(),
      path,
      bulkId: bulkId as string | undefined,
      version: typeof version === 'string' ? version : undefined,
      data: get('data'),
    };
  });
  return { ops, failOnErrors: (foe as number | undefined) ?? Number.POSITIVE_INFINITY };
}

/** The bulkIds a value refers to ("bulkId:x" strings anywhere inside). */
function references(v: unknown, out = new Set<string>()): Set<string> {
  if (typeof v === 'string') {
    const m = BULK_REF.exec(v);
    if (m) out.add(m[1]!);
  } else if (Array.isArray(v)) v.forEach((e) => references(e, out));
  else if (v && typeof v === 'object') Object.values(v).forEach((e) => references(e, out));
  return out;
}

function substitute(v: unknown, ids: Map<string, string>): unknown {
  if (typeof v === 'string') {
    const m = BULK_REF.exec(v);
    return m && ids.has(m[1]!) ? ids.get(m[1]!) : v;
  }
  if (Array.isArray(v)) return v.map((e) => substitute(e, ids));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, e]) => [k, substitute(e, ids)]));
  return v;
}

function substitutePath(path: string, ids: Map<string, string>): string {
  return path
    .split('/')
    .map((seg) => {
      const m = BULK_REF.exec(decodeURIComponent(seg));
      return m && ids.has(m[1]!) ? encodeURIComponent(ids.get(m[1]!)!) : seg;
    })
    .join('/');
}

export async function runBulk(env: ScimEnv, body: unknown): Promise<ScimResult> {
  const { ops, failOnErrors } = readOps(body);
  const created = new Map<string, string>();
  const indexOf = new Map(ops.flatMap((o, i) => (o.bulkId ? [[o.bulkId, i] as const] : [])));
  const state: Array<'todo' | 'running' | 'done'> = ops.map(() => 'todo');
  const results: Array<Doc | undefined> = ops.map(() => undefined);
  const warnings: string[] = [];
  let errors = 0;

  const finish = (i: number, result: Doc) => {
    const op = ops[i]!;
    if (Number(result.status) >= 400) errors++;
    results[i] = { method: op.method, ...(op.bulkId ? { bulkId: op.bulkId } : {}), ...result };
    state[i] = 'done';
  };
  const failure = (e: ScimError): Doc => ({ status: String(e.status), response: errorBody(e) });

  // Operations run in order; one that refers to a bulkId declared later first runs that
  // operation (RFC 7644 §3.7.2), so a group may name users created further down.
  const run = async (i: number, depth: number): Promise<void> => {
    if (state[i] !== 'todo' || errors >= failOnErrors) return;
    state[i] = 'running';
    const op = ops[i]!;
    for (const ref of references([op.path, op.data])) {
      const j = indexOf.get(ref);
      if (j === undefined || j === i) continue;
      if (state[j] === 'running') {
        finish(i, failure(new ScimError(409, 'invalidValue', 'Circular bulkId references cannot be resolved.')));
        return;
      }
      if (depth < MAX_BULK_OPERATIONS) await run(j, depth + 1);
    }
    if (errors >= failOnErrors) {
      state[i] = 'todo';
      return;
    }
    const unresolved = [...references([op.path, op.data])].filter((r) => !created.has(r));
    if (unresolved.length) {
      finish(i, failure(new ScimError(409, 'invalidValue', `bulkId ${unresolved.map((r) => `"${r}"`).join(', ')} could not be resolved.`)));
      return;
    }
    const req: ScimRequest = {
      method: op.method,
      path: substitutePath(op.path, created),
      query: {},
      body: substitute(op.data, created),
      ifMatch: op.version,
    };
    try {
      const r = await dispatch(env, req);
      for (const w of r.warnings ?? []) warnings.push(`Operations[${i}]${op.bulkId ? ` (bulkId ${op.bulkId})` : ''}: ${w}`);
      const location = r.headers?.Location ?? (r.body as { meta?: { location?: string } } | undefined)?.meta?.location;
      const id = (r.body as { id?: string } | undefined)?.id;
      if (op.bulkId && id) created.set(op.bulkId, id);
      finish(i, { status: String(r.status), ...(location ? { location } : {}), ...(r.headers?.ETag ? { version: r.headers.ETag } : {}) });
    } catch (err) {
      finish(i, failure(toScimError(err, env.log)));
    }
  };

  for (let i = 0; i < ops.length && errors < failOnErrors; i++) await run(i, 0);
  return {
    status: 200,
    body: { schemas: [BULK_RESPONSE_SCHEMA], Operations: results.filter((r): r is Doc => r !== undefined) },
    warnings: warnings.length ? warnings : undefined,
  };
}
