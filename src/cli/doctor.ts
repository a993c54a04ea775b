// `mspbridge doctor`: checks each dependency and says what to fix.
import type { Command } from 'commander';
import nodemailer from 'nodemailer';
import { loadConfig, type Config } from '../config';
import { isPg, openDb, pendingMigrations } from '../db/knex';
import { redactUrl } from '../http/health';
import { DEFAULT_REDIS_URL, redisAnswers } from '../queue/connection';
import { action } from './action';
import { printResult } from './output';

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

async function timed<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<T>((_, rej) => (t = setTimeout(() => rej(new Error(`${what} timed out after ${ms} ms`)), ms)))]);
  } finally {
    clearTimeout(t);
  }
}

export async function runChecks(config: Config): Promise<Check[]> {
  const checks: Check[] = [];
  const db = openDb({ url: config.databaseUrl, poolMax: 1 });
  try {
    const started = Date.now();
    const row = await timed(
      isPg(db) ? db.raw('select now() as now').then((r) => r.rows[0].now) : db.raw("select strftime('%Y-%m-%dT%H:%M:%fZ','now') as now").then((r) => r[0].now),
      5000,
      'database',
    );
    checks.push({ name: 'database', ok: true, detail: `${redactUrl(config.databaseUrl.replace(/^sqlite:/, 'sqlite://'))} reachable` });
    const skew = Math.abs(Date.parse(String(row)) - (started + Date.now()) / 2);
    checks.push({
      name: 'clock',
      ok: skew < 5000,
      detail:
        skew < 5000
          ? `clock skew vs database ${Math.round(skew)} ms`
          : `clock differs from the database by ${Math.round(skew / 1000)} s: fix NTP on this host or the database host`,
    });
    const pending = await pendingMigrations(db);
    checks.push({
      name: 'migrations',
      ok: pending.length === 0,
      detail: pending.length ? `${pending.length} pending (${pending.join(', ')}): run "mspbridge migrate"` : 'up to date',
    });
  } catch (err) {
    checks.push({ name: 'database', ok: false, detail: `${(err as Error).message.split('\n')[0]}: check DATABASE_URL and that the database server runs` });
  } finally {
    await db.destroy();
  }
  const redisUrl = config.redisUrl ?? DEFAULT_REDIS_URL;
  const redisOk = await redisAnswers(redisUrl, 2000);
  checks.push({
    name: 'redis',
    ok: redisOk,
    detail: redisOk ? `${redactUrl(redisUrl)} reachable` : `no answer from ${redactUrl(redisUrl)}: start Redis or set REDIS_URL`,
  });
  if (config.smtpUrl) {
    const transport = nodemailer.createTransport(config.smtpUrl);
    try {
      await timed(transport.verify(), 5000, 'SMTP');
      checks.push({ name: 'smtp', ok: true, detail: `${redactUrl(config.smtpUrl)} accepts connections` });
    } catch (err) {
      checks.push({ name: 'smtp', ok: false, detail: `${redactUrl(config.smtpUrl)}: ${(err as Error).message}: check SMTP_URL` });
    } finally {
      transport.close();
    }
  } else {
    checks.push({ name: 'smtp', ok: true, detail: `SMTP_URL not set: mail is written to ${config.dataDir}/mail` });
  }
  if (config.oidc) {
    const url = `${config.oidc.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
    try {
      const res = await timed(fetch(url), 5000, 'OIDC discovery');
      const body = (await res.json()) as { issuer?: string };
      const ok = res.ok && typeof body.issuer === 'string';
      checks.push({ name: 'oidc', ok, detail: ok ? `issuer ${body.issuer} answers discovery` : `${url} answered ${res.status}: check OIDC_ISSUER` });
    } catch (err) {
      checks.push({ name: 'oidc', ok: false, detail: `${url}: ${(err as Error).message}: check OIDC_ISSUER` });
    }
  } else {
    checks.push({ name: 'oidc', ok: true, detail: 'OIDC_ISSUER not set: sign-in uses one-time links' });
  }
  return checks;
}

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('check database, migrations, Redis, SMTP, OIDC and the clock')
    .option('--json', 'print JSON')
    .action(
      action(async (opts: { json?: boolean }) => {
        const checks = await runChecks(loadConfig());
        const ok = checks.every((c) => c.ok);
        printResult(opts.json, { ok, checks }, (o) => o.checks.map((c) => `${c.ok ? 'ok  ' : 'FAIL'}  ${c.name.padEnd(11)} ${c.detail}`).join('\n'));
        if (!ok) process.exitCode = 1;
      }),
    );
}
