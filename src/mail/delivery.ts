// The exactly-once email protocol in one place: claim in the database, render, send, and record
// "sent" before the final "." of the SMTP message (and finish it in the same turn as that
// record's commit), so neither a retry nor a killed worker can send an email twice.
import { type Db, isPg } from '../db/knex';
import { requireWork, unitOfWork } from '../db/unitOfWork';
import type { Ctx } from '../domain/context';
import { type PlannedMail, claimMail, recordMailsSent, releaseMail } from '../domain/mailDeliveries';
import { authorizeDeployment } from '../domain/policy';
import { system } from '../domain/principal';
import type { Metrics } from '../metrics';
import { type Mailer, SendFailedAfterCommit } from './mailer';
import type { RenderedMail } from './templates';

export interface DeliveryDeps {
  db: Db;
  mailer: Mailer;
  metrics: Metrics;
  now: () => Date;
  publicUrl: string;
  /** How long a send claim protects an email from a second sender (MAIL_CLAIM_LEASE_MS). */
  leaseMs: number;
}

/** Another worker holds an email's send claim right now: the job is retried after backoff. */
export class MailBusy extends Error {
  constructor(keys: string[]) {
    super(`another worker is sending ${keys.join(', ')}; retrying later`);
  }
}

/** The server refused the message for good (5xx): retrying cannot help. */
export class MailRefused extends Error {}

export type DeliveryOutcome = {
  sent: string[];
  /** Planned emails that had gone out already. */
  alreadySent: number;
};

/** A Message-ID that is the same every time the same logical email is sent. */
export function messageIdFor(key: string, publicUrl: string): string {
  const host = new URL(publicUrl).hostname || 'mspbridge.local';
  return `<${key.replace(/[^A-Za-z0-9.-]/g, '.')}@${host}>`;
}

/** A send waiting for its "sent" record: `end` lets its final "." go, in the turn of the commit. */
interface PendingRecord {
  key: string;
  messageId: string;
  end: () => void;
  resolve: () => void;
  reject: (err: Error) => void;
}

/** A job's claim transaction waiting to share the next commit with other jobs' claims. */
interface PendingClaim {
  label: string;
  fn: (ctx: Ctx) => Promise<unknown>;
  resolve: (v: unknown) => void;
  reject: (err: Error) => void;
}

/** At most this many jobs' claims share one transaction (bounds how long it holds SQLite's write lock). */
const CLAIMS_PER_COMMIT = 32;
/**
 * Claim transactions under way at once: SQLite has one writer (a second would only queue), while
 * on PostgreSQL each statement is a round trip, so a few transactions overlap their waits.
 */
const CLAIMERS = { sqlite: 1, pg: 4 };

export class MailDelivery {
  /** Records waiting for the next commit, and whether a commit is under way. */
  private pending: PendingRecord[] = [];
  private recording = false;
  /** Claims waiting for the next claim transaction, and whether one is under way. */
  private claims: PendingClaim[] = [];
  private claimers = 0;
  private readonly maxClaimers: number;

  constructor(private readonly deps: DeliveryDeps) {
    this.maxClaimers = isPg(deps.db) ? CLAIMERS.pg : CLAIMERS.sqlite;
  }

  /**
   * Group commit of "sent" records: the first record of a quiet moment commits at once; those
   * arriving meanwhile (the other SMTP connections' messages) share the next commit, so sends
   * on several connections cost one transaction, not one each. A message is still finished only
   * after its own record committed; a failed commit fails every send in it (each is released).
   */
  private record(label: string, key: string, messageId: string, end: () => void): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ key, messageId, end, resolve, reject });
      if (!this.recording) void this.commitPending(label);
    });
  }

  private async commitPending(label: string): Promise<void> {
    this.recording = true;
    try {
      while (this.pending.length) {
        const batch = this.pending.splice(0);
        try {
          await this.work(label, async (ctx) => {
            await recordMailsSent(ctx, batch);
            const work = requireWork(ctx.tx);
            for (const r of batch) work.afterCommit(r.end);
          });
          for (const r of batch) r.resolve();
        } catch (err) {
          for (const r of batch) r.reject(err as Error);
        }
      }
    } finally {
      this.recording = false;
    }
  }

  /**
   * Group commit of claims: the first job of a quiet moment claims in a transaction at once;
   * jobs arriving meanwhile (the worker's other concurrent jobs) plan and claim together in the
   * next one, so N jobs cost one BEGIN … COMMIT, not N. A claim is still committed before its
   * email is sent. When one job's planning fails, the shared transaction rolls back whole and
   * each job of it runs again in a transaction of its own, so one job's error is only its own.
   */
  private claim<T>(label: string, fn: (ctx: Ctx) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.claims.push({ label, fn, resolve: resolve as (v: unknown) => void, reject });
      if (this.claimers < this.maxClaimers) void this.commitClaims();
    });
  }

  private async commitClaims(): Promise<void> {
    this.claimers++;
    try {
      while (this.claims.length) {
        // One actor per transaction: the claims of the first one's label (in practice all of them).
        const label = this.claims[0]!.label;
        const batch = this.claims.filter((c) => c.label === label).slice(0, CLAIMS_PER_COMMIT);
        this.claims = this.claims.filter((c) => !batch.includes(c));
        if (batch.length === 1) {
          const [c] = batch;
          await this.work(label, c!.fn).then(c!.resolve, c!.reject);
          continue;
        }
        let results: unknown[] | undefined;
        try {
          results = await this.work(label, async (ctx) => {
            const out: unknown[] = [];
            for (const c of batch) out.push(await c.fn(ctx));
            return out;
          });
        } catch {
          // Rolled back whole: each job again on its own, so a failure reaches only its job.
          for (const c of batch) await this.work(label, c.fn).then(c.resolve, c.reject);
          continue;
        }
        batch.forEach((c, i) => c.resolve(results![i]));
      }
    } finally {
      this.claimers--;
    }
  }

  /** One unit of work acting as the named worker (the policy's `jobs.run`). */
  private work<T>(label: string, fn: (ctx: Ctx) => Promise<T>): Promise<T> {
    return unitOfWork(this.deps.db, async (tx) => {
      const ctx: Ctx = { tx, actor: system(label), now: this.deps.now() };
      await authorizeDeployment(ctx, 'jobs.run');
      return fn(ctx);
    });
  }

  /**
   * Plans the emails a job causes (the domain decides who gets what), claims each, renders and
   * sends the claimed ones, recording each as sent before its message is finished. Emails
   * another worker is sending make the job retry once the others went out.
   */
  async deliver<T>(
    label: string,
    plan: (ctx: Ctx) => Promise<PlannedMail<T>[]>,
    render: (mail: PlannedMail<T>) => Omit<RenderedMail, 'language'>,
  ): Promise<DeliveryOutcome> {
    const { claimed, busy, alreadySent } = await this.claim(label, async (ctx) => {
      const out = { claimed: [] as PlannedMail<T>[], busy: [] as string[], alreadySent: 0 };
      for (const mail of await plan(ctx)) {
        const claim = await claimMail(ctx, mail, this.deps.leaseMs);
        if (claim === 'claimed') out.claimed.push(mail);
        else if (claim === 'busy') out.busy.push(mail.key);
        else out.alreadySent++;
      }
      return out;
    });
    const sent: string[] = [];
    for (const mail of claimed) {
      await this.send(label, mail, render(mail));
      sent.push(mail.key);
    }
    if (busy.length) throw new MailBusy(busy);
    return { sent, alreadySent };
  }

  private async send(label: string, mail: PlannedMail<unknown>, content: Omit<RenderedMail, 'language'>): Promise<void> {
    const messageId = messageIdFor(mail.key, this.deps.publicUrl);
    try {
      await this.deps.mailer.send({ to: mail.to, ...content, language: mail.language, messageId }, (end) => this.record(label, mail.key, messageId, end));
      this.deps.metrics.emailsSent.inc({ kind: mail.kind });
    } catch (err) {
      const original = err instanceof SendFailedAfterCommit ? err.original : (err as Error);
      // The server did not take the message (its final "." was never acknowledged): release the
      // claim so the next attempt, or a manual retry, can send at once.
      await this.work(label, (ctx) => releaseMail(ctx, mail.key)).catch(() => undefined);
      const code = (original as { responseCode?: number }).responseCode;
      if (code && code >= 500) throw new MailRefused(`SMTP refused the message permanently (${code}): ${original.message}`);
      throw original;
    }
  }
}
