// An SMTP server in the bench process (smtp-server) that keeps, for every message it accepts,
// its envelope recipients, when it arrived and whether it carries an invitation link: enough to
// count emails exactly (once per recipient) without parsing every message.
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { waitUntil } from './http';

export interface Arrival {
  to: string;
  /** performance.now() when the DATA phase began. */
  dataAt: number;
  /** performance.now() when the whole message was in (the final "."). */
  at: number;
  /** The body holds a {PUBLIC_URL}/invitations/<token> link. */
  link: boolean;
}

export interface Tally {
  /** Messages (one per envelope recipient) to addresses with the prefix. */
  messages: number;
  /** Distinct recipients among them. */
  unique: number;
  /** messages − unique: copies a recipient got more than once. */
  duplicates: number;
  /** Messages without an invitation link. */
  withoutLink: number;
  /** performance.now() of the first and the last arrival. */
  first?: number;
  last?: number;
}

const LINK = /\/invitations\/[A-Za-z0-9_.~-]{16,}/;

export class SmtpSink {
  readonly arrivals: Arrival[] = [];
  private readonly byRecipient = new Map<string, Arrival[]>();

  private readonly server: SMTPServer;
  private listening = 0;

  private constructor() {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      size: 1024 * 1024,
      onData: (stream, session, cb) => {
        const dataAt = performance.now();
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const at = performance.now();
          // Quoted-printable may fold a long link: unfold before looking for it.
          const link = LINK.test(
            Buffer.concat(chunks)
              .toString('latin1')
              .replace(/=\r?\n/g, ''),
          );
          for (const r of session.envelope.rcptTo) this.record({ to: r.address.toLowerCase(), dataAt, at, link });
          cb();
        });
      },
    });
    // A client dropping a connection mid-message is not the sink's failure.
    this.server.on('error', () => undefined);
  }

  static async start(): Promise<SmtpSink> {
    const sink = new SmtpSink();
    await new Promise<void>((resolve) => sink.server.listen(0, '127.0.0.1', () => resolve()));
    sink.listening = (sink.server.server.address() as AddressInfo).port;
    return sink;
  }

  get port(): number {
    return this.listening;
  }

  /** SMTP_URL for the app: plain SMTP on loopback. */
  get url(): string {
    return `smtp://127.0.0.1:${this.port}?tls=off`;
  }

  private record(a: Arrival): void {
    this.arrivals.push(a);
    const list = this.byRecipient.get(a.to);
    if (list) list.push(a);
    else this.byRecipient.set(a.to, [a]);
  }

  /** First arrival for one address. */
  arrivalOf(address: string): Arrival | undefined {
    return this.byRecipient.get(address.toLowerCase())?.[0];
  }

  /** Distinct recipients whose address starts with prefix (cheap enough to poll). */
  uniqueWith(prefix: string): number {
    let n = 0;
    for (const k of this.byRecipient.keys()) if (k.startsWith(prefix)) n++;
    return n;
  }

  tally(prefix: string): Tally {
    let messages = 0;
    let unique = 0;
    let withoutLink = 0;
    let first: number | undefined;
    let last: number | undefined;
    for (const [to, list] of this.byRecipient) {
      if (!to.startsWith(prefix)) continue;
      unique++;
      messages += list.length;
      for (const a of list) {
        if (!a.link) withoutLink++;
        first = first === undefined ? a.at : Math.min(first, a.at);
        last = last === undefined ? a.at : Math.max(last, a.at);
      }
    }
    return { messages, unique, duplicates: messages - unique, withoutLink, first, last };
  }

  /** Waits until `count` distinct recipients with the prefix arrived; false on timeout. */
  waitForUnique(prefix: string, count: number, timeoutMs: number): Promise<boolean> {
    return waitUntil(() => this.uniqueWith(prefix) >= count, timeoutMs, 50);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
