// The one typed view of the environment: parsed once by zod, frozen, every problem listed at once.
import path from 'node:path';
import { z } from 'zod';

export const DEFAULT_REGIONS = ['us', 'ca', 'eu', 'ent'] as const;

const urlWithProtocols = (protocols: string[]) =>
  z.string().refine(
    (value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    { message: `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}` },
  );

const schema = z.object({
  DATABASE_URL: z
    .string()
    .refine((v) => v.startsWith('sqlite:') || v.startsWith('postgres://') || v.startsWith('postgresql://'), {
      message: 'must be sqlite:<file> or postgres://user@host:port/db',
    })
    .default('sqlite:./data/mspbridge.sqlite'),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  REDIS_URL: urlWithProtocols(['redis:', 'rediss:']).optional(),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  PUBLIC_URL: urlWithProtocols(['http:', 'https:']).optional(),
  SMTP_URL: urlWithProtocols(['smtp:', 'smtps:']).optional(),
  MAIL_FROM: z.string().default('mspbridge <no-reply@mspbridge.local>'),
  QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.:-]+$/, 'letters, digits and _ . : - only')
    .default('mspbridge'),
  OIDC_ISSUER: urlWithProtocols(['http:', 'https:']).optional(),
  OIDC_CLIENT_ID: z.string().min(1).optional(),
  OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATA_DIR: z.string().default('./data'),
  REGIONS: z
    .string()
    .default(DEFAULT_REGIONS.join(','))
    .transform((v) =>
      v
        .split(',')
        .map((r) => r.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().regex(/^[a-z][a-z0-9-]{0,15}$/, 'region names are lower-case words')).min(1)),
  SECRET_KEY: z.string().min(32, 'at least 32 characters').optional(),
  REGION: z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,15}$/)
    .optional(),
  REGION_DIRECTORY: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (!v) return {} as Record<string, string>;
      const out: Record<string, string> = {};
      for (const part of v
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean)) {
        const [region, url] = part.split('=');
        if (!region || !url || !/^https?:\/\//.test(url)) {
          ctx.addIssue({ code: 'custom', message: 'expected region=https://bridge.example,…' });
          return z.NEVER;
        }
        out[region.trim()] = url.trim().replace(/\/+$/, '');
      }
      return out;
    }),
  DIRECTORY_TOKEN: z.string().min(16).optional(),
  ADMIN_TOKEN: z.string().min(16).optional(),
  OPERATOR_EMAILS: z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((e) => e.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.email('each operator is an email address'))),
  OUTBOX_POLL_MS: z.coerce.number().int().min(10).max(60_000).default(200),
  OUTBOX_REDELIVER_MS: z.coerce.number().int().min(500).default(60_000),
  MAIL_CLAIM_LEASE_MS: z.coerce.number().int().min(1000).default(60_000),
  WORKER_LOCK_MS: z.coerce.number().int().min(1000).default(30_000),
  LIFECYCLE_INTERVAL_MS: z.coerce.number().int().min(1000).default(60_000),
  USAGE_SNAPSHOT_INTERVAL_MS: z.coerce.number().int().min(1000).default(3_600_000),
  SCIM_RATE_PER_TOKEN: z.coerce.number().min(0.1).max(1_000_000).default(1000),
  SCIM_AUTH_FAILURES_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(30),
  // How long a verified SCIM credential is trusted without a lookup; revocation reaches every process at once (Redis).
  SCIM_AUTH_CACHE_MS: z.coerce.number().int().min(0).max(300_000).default(30_000),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(100).default(10000),
  MAX_IN_FLIGHT: z.coerce.number().int().min(1).max(100_000).default(128),
  WORKER_YIELD_RATE: z.coerce.number().min(0).max(100_000).default(20),
  // Which hops may set X-Forwarded-For (Express "trust proxy"): loopback, a hop count, or addresses/CIDRs.
  TRUST_PROXY: z
    .string()
    .default('loopback')
    .transform((v, ctx): boolean | number | string => {
      const t = v.trim();
      if (t === 'true' || t === 'false') return t === 'true';
      if (/^\d+$/.test(t)) return Number(t);
      if (!/^[0-9a-fA-F.:/,\s]+$|^(loopback|linklocal|uniquelocal)(\s*,\s*(loopback|linklocal|uniquelocal|[0-9a-fA-F.:/]+))*$/.test(t)) {
        ctx.addIssue({ code: 'custom', message: 'loopback, true/false, a hop count, or comma-separated addresses/CIDRs' });
      }
      return t;
    }),
  // Lets webhooks reach loopback/private addresses: for tests and closed networks only.
  WEBHOOK_ALLOW_PRIVATE: z
    .enum(['true', 'false', '1', '0', ''])
    .default('false')
    .transform((v) => v === 'true' || v === '1'),
  WEBHOOK_RETRY_BASE_MS: z.coerce.number().int().min(10).max(3_600_000).default(30_000),
  WEBHOOK_RETRY_WINDOW_MS: z.coerce
    .number()
    .int()
    .min(1000)
    .default(24 * 3600 * 1000),
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
  SCIM_ERROR_MIN_REQUESTS: z.coerce.number().int().min(1).default(10),
  NODE_ENV: z.string().default('production'),
});

export type Config = Readonly<{
  databaseUrl: string;
  databasePoolMax: number;
  redisUrl: string | undefined;
  port: number;
  host: string;
  publicUrl: string;
  smtpUrl: string | undefined;
  mailFrom: string;
  queuePrefix: string;
  oidc: Readonly<{ issuer: string; clientId: string; clientSecret: string | undefined }> | undefined;
  logLevel: z.infer<typeof schema>['LOG_LEVEL'];
  dataDir: string;
  regions: readonly string[];
  /** Secret for derived tokens and sessions; when unset, a key file under DATA_DIR is used. */
  secretKey: string | undefined;
  /** This deployment's region for the region directory; undefined: it serves every region. */
  region: string | undefined;
  /** Other regions' deployments (region -> base URL), asked by region validation. */
  regionDirectory: Readonly<Record<string, string>>;
  directoryToken: string | undefined;
  adminToken: string | undefined;
  /** People who see deployment-wide things (every tenant's jobs); `mspbridge operator add` adds more. */
  operatorEmails: string[];
  outboxPollMs: number;
  /** After this long without a "done", a relayed job is looked up in BullMQ and relayed again if lost. */
  outboxRedeliverMs: number;
  lifecycleIntervalMs: number;
  /** How often the lifecycle worker takes the day's usage snapshot (idempotent per UTC day). */
  usageSnapshotIntervalMs: number;
  /** How long a send claim shields an email from a second sender; must exceed an SMTP send. */
  mailClaimLeaseMs: number;
  /** BullMQ lock: a job whose worker died is picked up again after about this long. */
  workerLockMs: number;
  shutdownTimeoutMs: number;
  /** Requests (SCIM and API) served at once before new ones get an immediate 429. */
  maxInFlight: number;
  /** Jobs per second a queue's worker starts while HTTP requests are served in the same process (0: no yielding). */
  workerYieldRate: number;
  trustProxy: boolean | number | string;
  production: boolean;
  scim: Readonly<{ ratePerToken: number; authFailuresPerMinute: number; authCacheMs: number }>;
  webhooks: Readonly<{ allowPrivate: boolean; retryBaseMs: number; retryWindowMs: number; timeoutMs: number }>;
  /** Fewer SCIM requests than this in 15 minutes never raise scim.errors (1 failure of 2 is no alert). */
  scimErrorMinRequests: number;
}>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration: ${problems.join('; ')}`);
  }
}

/** Parses an environment (process.env by default) into a frozen Config or throws ConfigError listing every problem. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const e = parsed.data;
  const problems: string[] = [];
  if (e.OIDC_ISSUER && !e.OIDC_CLIENT_ID) problems.push('OIDC_CLIENT_ID: required when OIDC_ISSUER is set');
  if (problems.length) throw new ConfigError(problems);
  const publicUrl = (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, '');
  return Object.freeze({
    databaseUrl: e.DATABASE_URL,
    databasePoolMax: e.DATABASE_POOL_MAX,
    redisUrl: e.REDIS_URL,
    port: e.PORT,
    host: e.HOST,
    publicUrl,
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM,
    queuePrefix: e.QUEUE_PREFIX,
    oidc: e.OIDC_ISSUER ? Object.freeze({ issuer: e.OIDC_ISSUER, clientId: e.OIDC_CLIENT_ID!, clientSecret: e.OIDC_CLIENT_SECRET }) : undefined,
    logLevel: e.LOG_LEVEL,
    dataDir: path.resolve(e.DATA_DIR),
    regions: Object.freeze([...e.REGIONS]),
    secretKey: e.SECRET_KEY,
    region: e.REGION,
    regionDirectory: Object.freeze({ ...e.REGION_DIRECTORY }),
    directoryToken: e.DIRECTORY_TOKEN,
    adminToken: e.ADMIN_TOKEN,
    operatorEmails: e.OPERATOR_EMAILS,
    outboxPollMs: e.OUTBOX_POLL_MS,
    outboxRedeliverMs: e.OUTBOX_REDELIVER_MS,
    lifecycleIntervalMs: e.LIFECYCLE_INTERVAL_MS,
    usageSnapshotIntervalMs: e.USAGE_SNAPSHOT_INTERVAL_MS,
    mailClaimLeaseMs: e.MAIL_CLAIM_LEASE_MS,
    workerLockMs: e.WORKER_LOCK_MS,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    maxInFlight: e.MAX_IN_FLIGHT,
    workerYieldRate: e.WORKER_YIELD_RATE,
    trustProxy: e.TRUST_PROXY,
    scim: Object.freeze({
      ratePerToken: e.SCIM_RATE_PER_TOKEN,
      authFailuresPerMinute: e.SCIM_AUTH_FAILURES_PER_MINUTE,
      authCacheMs: e.SCIM_AUTH_CACHE_MS,
    }),
    webhooks: Object.freeze({
      allowPrivate: e.WEBHOOK_ALLOW_PRIVATE,
      retryBaseMs: e.WEBHOOK_RETRY_BASE_MS,
      retryWindowMs: e.WEBHOOK_RETRY_WINDOW_MS,
      timeoutMs: e.WEBHOOK_TIMEOUT_MS,
    }),
    scimErrorMinRequests: e.SCIM_ERROR_MIN_REQUESTS,
    production: e.NODE_ENV === 'production',
  });
}
