// A real SMTP server (smtp-server) in the test process, keeping every message it accepts.
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  to: string[];
  from: string;
  subject: string;
  text: string;
  html: string;
  messageId: string;
  language: string | undefined;
  raw: string;
  /** When its DATA ended (Date.now()). */
  at: number;
}

export interface TestSmtp {
  url: string;
  port: number;
  mails: ReceivedMail[];
  /** Waits until at least n messages arrived (or fails after timeoutMs). */
  waitFor(n: number, timeoutMs?: number): Promise<ReceivedMail[]>;
  /** How many messages started their DATA phase. */
  started(): number;
  /** Rejects the next messages to these recipients with a permanent error (550). */
  reject: Set<string>;
  close(): Promise<void>;
  /** The server goes away at once (listener closed, open connections cut), as in a crash. */
  crash(): Promise<void>;
  /** The server is back on the same port, keeping what it had received. */
  restart(): Promise<void>;
}

export async function startSmtp(opts: { dataDelayMs?: number } = {}): Promise<TestSmtp> {
  const mails: ReceivedMail[] = [];
  const reject = new Set<string>();
  let dataStarted = 0;
  const create = () =>
    new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onRcptTo(address, _session, cb) {
        if (reject.has(address.address.toLowerCase())) {
          const err = Object.assign(new Error('mailbox unavailable'), { responseCode: 550 });
          cb(err);
          return;
        }
        cb();
      },
      onData(stream, _session, cb) {
        dataStarted++;
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const at = Date.now();
          const raw = Buffer.concat(chunks);
          new Promise((r) => setTimeout(r, opts.dataDelayMs ?? 0))
            .then(() => simpleParser(raw))
            .then((p) => {
              const to = (Array.isArray(p.to) ? p.to : p.to ? [p.to] : []).flatMap((a) => a.value.map((v) => (v.address ?? '').toLowerCase()));
              mails.push({
                to,
                from: p.from?.text ?? '',
                subject: p.subject ?? '',
                text: p.text ?? '',
                html: typeof p.html === 'string' ? p.html : '',
                messageId: p.messageId ?? '',
                language: p.headers.get('content-language') as string | undefined,
                raw: raw.toString('utf8'),
                at,
              });
              cb();
            })
            .catch(cb);
        });
      },
    });
  const listen = async (at: number): Promise<SMTPServer> => {
    const s = create();
    // A client dropping a connection mid-message (what a killed worker does) is not a test failure.
    s.on('error', () => undefined);
    await new Promise<void>((resolve) => s.listen(at, '127.0.0.1', () => resolve()));
    return s;
  };
  let server = await listen(0);
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}?tls=off`,
    port,
    mails,
    reject,
    started: () => dataStarted,
    async waitFor(n, timeoutMs = 30_000) {
      const until = Date.now() + timeoutMs;
      while (mails.length < n) {
        if (Date.now() > until) throw new Error(`expected ${n} emails, got ${mails.length} after ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 50));
      }
      return mails;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    async crash() {
      await new Promise<void>((resolve) => {
        server.server.close(() => resolve());
        for (const c of (server as unknown as { connections: Set<{ _socket?: { destroy(): void } }> }).connections) c._socket?.destroy();
      });
    },
    async restart() {
      server = await listen(port);
    },
  };
}

/** The first link to PUBLIC_URL/<kind>/... in a message's text part. */
export function linkIn(mail: ReceivedMail, kind: 'invitations' | 'recovery' | 'links'): string {
  const m = new RegExp(`https?://[^\\s]+/${kind}/[A-Za-z0-9_.-]+`).exec(mail.text);
  if (!m) throw new Error(`no /${kind}/ link in: ${mail.text.slice(0, 500)}`);
  return m[0];
}
