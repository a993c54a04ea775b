// Sends mail through SMTP (nodemailer, pooled), or writes .eml files under DATA_DIR/mail when
// no SMTP_URL is configured (the product then still "sends" and the operator can read it).
import fs from 'node:fs';
import path from 'node:path';
import nodemailer, { type Transporter } from 'nodemailer';
import type { Logger } from '../logger';

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

export interface Mailer {
  send(mail: OutgoingMail): Promise<{ messageId: string }>;
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
    const transport: Transporter = nodemailer.createTransport({
      host: url.hostname,
      port: Number(url.port || (url.protocol === 'smtps:' ? 465 : 587)),
      secure: url.protocol === 'smtps:',
      auth: url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : undefined,
      pool: true,
      maxConnections: Number(url.searchParams.get('pool') ?? 5),
      maxMessages: Infinity,
      // Loopback/test relays without TLS: only upgrade when the server offers it.
      ignoreTLS: url.searchParams.get('tls') === 'off',
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
    });
    return {
      async send(m) {
        const info = await transport.sendMail(message(m));
        return { messageId: info.messageId };
      },
      async verify() {
        await transport.verify();
      },
      close: () => transport.close(),
      describe: () => `smtp://${url.hostname}:${url.port || 587}`,
    };
  }
  const dir = path.join(opts.dataDir, 'mail');
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    async send(m) {
      const info = (await transport.sendMail(message(m))) as unknown as { message: Buffer; messageId: string };
      fs.mkdirSync(dir, { recursive: true });
      const safe = m.messageId.replace(/[^A-Za-z0-9._-]/g, '_');
      const file = path.join(dir, `${safe}.eml`);
      fs.writeFileSync(file, info.message);
      opts.log.info({ to: m.to, subject: m.subject, file }, 'mail written (no SMTP_URL configured)');
      return { messageId: info.messageId };
    },
    async verify() {
      fs.mkdirSync(dir, { recursive: true });
    },
    close: () => transport.close(),
    describe: () => `files in ${dir}`,
  };
}
