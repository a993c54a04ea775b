// Prometheus metrics, one registry per runtime so several apps can live in one test process.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  registry: Registry;
  httpRequests: Counter<'method' | 'route' | 'status'>;
  httpDuration: Histogram<'method' | 'route'>;
  scimRequests: Counter<'method' | 'resource' | 'status' | 'idp'>;
  queueDepth: Gauge<'queue' | 'state'>;
  outboxPending: Gauge;
  emailsSent: Counter<'kind'>;
  webhookAttempts: Counter<'outcome'>;
  shedRequests: Counter;
  credentialChecks: Counter<'surface' | 'outcome'>;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'mspbridge_' });
  return {
    registry,
    httpRequests: new Counter({
      name: 'mspbridge_http_requests_total',
      help: 'HTTP requests by route and status',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'mspbridge_http_request_duration_seconds',
      help: 'HTTP request latency',
      labelNames: ['method', 'route'],
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    scimRequests: new Counter({
      name: 'mspbridge_scim_requests_total',
      help: 'SCIM requests by resource, status and detected IdP',
      labelNames: ['method', 'resource', 'status', 'idp'],
      registers: [registry],
    }),
    queueDepth: new Gauge({
      name: 'mspbridge_queue_jobs',
      help: 'BullMQ jobs per queue and state (sampled at scrape time)',
      labelNames: ['queue', 'state'],
      registers: [registry],
    }),
    outboxPending: new Gauge({
      name: 'mspbridge_outbox_pending',
      help: 'Outbox rows not yet relayed to BullMQ (sampled at scrape time)',
      registers: [registry],
    }),
    emailsSent: new Counter({
      name: 'mspbridge_emails_sent_total',
      help: 'Emails handed to the SMTP server',
      labelNames: ['kind'],
      registers: [registry],
    }),
    webhookAttempts: new Counter({
      name: 'mspbridge_webhook_attempts_total',
      help: 'Webhook delivery attempts by outcome: delivered, retrying, failed (for good)',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    shedRequests: new Counter({
      name: 'mspbridge_shed_requests_total',
      help: 'Requests answered 429 at once because MAX_IN_FLIGHT requests were already being served',
      registers: [registry],
    }),
    credentialChecks: new Counter({
      name: 'mspbridge_credential_checks_total',
      help: 'Passwords, client secrets and tokens checked (granted, refused, error), or refused unchecked by the failed-authentication limit (limited)',
      labelNames: ['surface', 'outcome'],
      registers: [registry],
    }),
  };
}
