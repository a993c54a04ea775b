// Sends mail through SMTP (nodemailer, pooled), or writes .eml files under DATA_DIR/mail when
// no SMTP_URL is configured (the product then still "sends" and the operator can read it).
import fs from 'node:fs';
import path from 'node:path';
import nodemailer from 'nodemailer';
import addressparser from 'nodemailer/lib/addressparser';
import type { Logger } from '../logger';
import { SmtpSender } from './smtpSender';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** BCP 47 language of the content (Content-Language). */
  language: string;
  /** Stable per logical email, so a resend after a crash is recognisable as the same message. */
  messageId: string;
}

export class SendFailedAfterCommit extends Error {
  constructor(readonly original: Error) {
    super(`the server failed the message after it was recorded as sent: ${original.message}`);
  }
}

export interface Mailer {
  /**
   * Sends one message. `onCommit` records it as sent; over SMTP it runs after the server
   * accepted the envelope and before the message is finished, so a crash at any point cannot
   * produce a second copy. It may call `end` the instant its record commits (UnitOfWork.afterCommit) so
   * the message is finished in the same turn; otherwise it is finished when onCommit resolves.
   * A failure after it ran is thrown as SendFailedAfterCommit.
   */
  send(mail: OutgoingMail, onCommit?: (end: () => void) => Promise<void>): Promise<{ messageId: string }>;
  verify(): Promise<void>;
  close(): void;
  /** Where mail goes, for logs and doctor (no credentials). */
  describe(): string;
}

export function createMailer(opts: { smtpUrl?: string; from: string; dataDir: string; log: Logger }): Mailer {
  const message = (m: OutgoingMail) => ({
    from: opts.from,
    to: m.to,
    subject: m.subject,
    text: m.text,
    html: m.html,
    messageId: m.messageId,
    headers: { 'Content-Language': m.language, 'Auto-Submitted': 'auto-generated' },
  });
  if (opts.smtpUrl) {
    const url = new URL(opts.smtpUrl);
    const sender = new SmtpSender({
      host: url.hostname,
      port: Number(url.port || (url.protocol === 'smtps:' ? 465 : 587)),
      secure: url.protocol === 'smtps:',
      // Loopback/test relays without TLS: only upgrade when the server offers it.
      ignoreTLS: url.searchParams.get('tls') === 'off',
      auth: url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : undefined,
      maxConnections: Number(url.searchParams.get('pool') ?? 5),
    });
    // The envelope wants the bare address of "Name <address>".
    const envelopeFrom = (addressparser(opts.from)[0] as { address?: string } | undefined)?.address ?? opts.from;
    return {
      async send(m, onCommit) {
        let committed = false;
        try {
          await sender.send({ from: envelopeFrom, to: m.to, message: message(m) }, async (end) => {
            await onCommit?.(() => {
              committed = true;
              end();
            });
            committed = true;
          });
        } catch (err) {
          throw committed ? new SendFailedAfterCommit(err as Error) : err;
        }
        return { messageId: m.messageId };
      },
      verify: () => sender.verify(),
      close: () => sender.close(),
      describe: () => `smtp://${url.hostname}:${url.port || 587}`,
    };
  }
  const dir = path.join(opts.dataDir, 'mail');
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    async send(m, onCommit) {
      const info = (await transport.sendMail(message(m))) as unknown as { message: Buffer; messageId: string };
      fs.mkdirSync(dir, { recursive: true });
      const safe = m.messageId.replace(/[^A-Za-z0-9._-]/g, '_');
      const file = path.join(dir, `${safe}.eml`);
      fs.writeFileSync(file, info.message);
      opts.log.info({ to: m.to, subject: m.subject, file }, 'mail written (no SMTP_URL configured)');
      await onCommit?.(() => undefined);
      return { messageId: info.messageId };
    },
    async verify() {
      fs.mkdirSync(dir, { recursive: true });
    },
    close: () => transport.close(),
    describe: () => `files in ${dir}`,
  };
}
