// Runs the issue-9 scenarios beyond the per-op comparison, one after another, each on fresh
// processes and databases; a scenario that fails is recorded as failed and the rest still run.
import type { BenchOptions, DbKind } from '../options';
import { type CompaniesResult, measureCompanies } from './companies';
import { type InviteLatencyResult, measureInviteLatency } from './invite-latency';
import { type MailStack, startMailStack } from './mail-stack';
import { type MailerResult, measureMailer } from './mailer';
import { type ScaleoutResult, measureScaleout } from './scaleout';
import { type StartResult, measureStart } from './start';
import { type AppSync, type SyncResult, syncApp, syncBaseline, syncSettings } from './sync';
import { type TenantsResult, measureTenants } from './tenants';
import { say } from '../log';

export interface Failed {
  db?: DbKind;
  failed: string;
}

export interface ScenarioResults {
  sync?: SyncResult;
  inviteLatency?: Array<InviteLatencyResult | Failed>;
  mailer?: Array<MailerResult | Failed>;
  tenants?: Array<TenantsResult | Failed>;
  companies?: Array<CompaniesResult | Failed>;
  scaleout?: ScaleoutResult | Failed;
  start?: StartResult | Failed;
}

export const isFailed = (r: object | undefined): r is Failed => !!r && 'failed' in r;

/** Runs fn; an exception becomes a "failed" record (the process output it carries, shortened). */
async function attempt<T>(what: string, db: DbKind | undefined, fn: () => Promise<T>): Promise<T | Failed> {
  try {
    return await fn();
  } catch (err) {
    const message = (err instanceof Error ? err.message : String(err)).slice(0, 600);
    say(`  ${what} failed: ${message}`);
    return { db, failed: message };
  }
}

export async function runScenarios(opts: BenchOptions, runDir: string): Promise<ScenarioResults> {
  const on = opts.scenarios;
  const out: ScenarioResults = {};
  if (on.sync) out.sync = { settings: syncSettings(opts), apps: [] };
  if (on['invite-latency']) out.inviteLatency = [];
  if (on.mailer) out.mailer = [];

  // One deployment with a worker and an SMTP sink per database: the sync, then single
  // invitations on the idle app, then the worker against a bare nodemailer loop.
  if (on.sync || on['invite-latency'] || on.mailer) {
    for (const db of opts.dbs) {
      say(`mail scenarios on ${db}: serve + worker + SMTP sink`);
      const stack = await attempt<MailStack>('starting serve + worker', db, () => startMailStack(opts, db, runDir));
      try {
        if (on.sync) {
          const s = out.sync!.settings;
          say(`initial sync (${db}): ${s.users.toLocaleString('en-US')} users + ${s.groups} groups of ${s.groupSize} over ${s.connections} connections`);
          out.sync!.apps.push(isFailed(stack) ? stack : await attempt<AppSync>('initial sync', db, () => syncApp(stack, s)));
        }
        if (on['invite-latency']) {
          say(`single invitations (${db}): ${opts.inviteSamples} POSTs, each timed to its email`);
          out.inviteLatency!.push(isFailed(stack) ? stack : await attempt('single invitations', db, () => measureInviteLatency(stack, opts.inviteSamples)));
        }
        if (on.mailer) {
          say(`invitation worker vs nodemailer (${db}): ${opts.mailerCount.toLocaleString('en-US')} emails each`);
          out.mailer!.push(isFailed(stack) ? stack : await attempt('worker vs nodemailer', db, () => measureMailer(stack, opts.mailerCount)));
        }
      } finally {
        if (!isFailed(stack)) await stack.stop();
      }
    }
  }
  if (on.sync) {
    say('initial sync: the baseline, same loader');
    const r = await attempt('baseline sync', undefined, () => syncBaseline(out.sync!.settings));
    out.sync!.baseline = r;
  }
  if (on.tenants) {
    out.tenants = [];
    for (const db of opts.dbs) {
      say(`many tenants (${db}): ${opts.tenants} accounts × ${opts.tenantUsers.toLocaleString('en-US')} users`);
      out.tenants.push(await attempt('many tenants', db, () => measureTenants(opts, db, runDir)));
    }
  }
  if (on.companies) {
    out.companies = [];
    for (const db of opts.dbs) {
      say(`managed companies (${db}): ${opts.companies.toLocaleString('en-US')} companies under one MSP`);
      const r = await attempt('managed companies', db, () => measureCompanies(opts, db, runDir));
      if (!isFailed(r))
        say(
          `  ${r.load.rps.toFixed(0)} req/s, p50 ${r.load.p50} ms, p99 ${r.load.p99} ms at ${r.connections} connections${r.problems.length ? `; ${r.problems.length} wrong answers` : ''}`,
        );
      out.companies.push(r);
    }
  }
  if (on.scaleout) {
    say(`scale-out (postgres): two serve vs one, ${opts.scaleoutUsers.toLocaleString('en-US')} users`);
    out.scaleout = await attempt('scale-out', 'postgres', () => measureScaleout(opts, runDir));
  }
  if (on.start) {
    if (opts.dbs.includes('sqlite')) out.start = await attempt('mspbridge start', 'sqlite', () => measureStart(opts, runDir));
    else say('mspbridge start: skipped (it measures SQLite; add --db sqlite)');
  }
  return out;
}
