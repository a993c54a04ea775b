// A small pool of SMTP connections whose sends end in two steps: the message body goes out,
// the caller records "sent" in its database, and only then is the final "." written. A process
// killed before that record is made leaves the server with an unfinished message, which it
// discards, so the retry sends the only copy; no window of DB latency can duplicate an email.
import { Readable } from 'node:stream';
import MailComposer from 'nodemailer/lib/mail-composer';
import SMTPConnection from 'nodemailer/lib/smtp-connection';

export interface SmtpTarget {
  host: string;
  port: number;
  secure: boolean;
  ignoreTLS: boolean;
  auth?: { user: string; pass: string };
  maxConnections: number;
}

export interface RawMail {
  from: string;
  to: string;
  message: Parameters<typeof composeMessage>[0];
}

function composeMessage(options: ConstructorParameters<typeof MailComposer>[0]): Promise<Buffer> {
  return new MailComposer(options).compile().build();
}

/** The body on the first read; the end of the message only after `beforeEnd` resolved. */
class HeldMessage extends Readable {
  private pushed = false;
  private ending = false;
  private ended = false;
  constructor(
    private readonly body: Buffer,
    private readonly beforeEnd: (end: () => void) => Promise<void>,
    /** Resolves once the body has left this process (the socket has no backlog). */
    private readonly sent: () => Promise<void>,
  ) {
    super();
  }
  /** Lets the final "." go out; idempotent, callable synchronously from inside beforeEnd. */
  private readonly end = (): void => {
    if (this.ended) return;
    this.ended = true;
    this.push(null);
  };
  override _read(): void {
    if (!this.pushed) {
      this.pushed = true;
      this.push(this.body);
      return;
    }
    if (this.ending) return;
    this.ending = true;
    // The record of "sent" waits for the body to reach the server, so that after it commits
    // only the final five bytes remain to be written: they go out in the same turn.
    this.sent()
      .then(() => this.beforeEnd(this.end))
      .then(this.end, (err: Error) => {
        if (!this.ended) this.destroy(err);
      });
  }
}

/** Waits until everything written to the connection's socket has been handed to the kernel. */
async function socketDrained(conn: SMTPConnection): Promise<void> {
  const socket = (conn as unknown as { _socket?: NodeJS.WritableStream & { writableLength: number; destroyed: boolean } })._socket;
  for (let i = 0; i < 10_000; i++) {
    // Let the pipe from the message through nodemailer's dot-escaping stream run first.
    await new Promise((r) => setImmediate(r));
    if (!socket || socket.destroyed || socket.writableLength === 0) return;
    await new Promise((r) => socket.once('drain', r));
  }
}

export class SmtpSender {
  private idle: SMTPConnection[] = [];
  private live = new Set<SMTPConnection>();
  private waiting: Array<(c: SMTPConnection) => void> = [];
  private closed = false;
  private connecting = 0;

  constructor(private readonly target: SmtpTarget) {}

  private connect(): Promise<SMTPConnection> {
    return new Promise((resolve, reject) => {
      const conn = new SMTPConnection({
        host: this.target.host,
        port: this.target.port,
        secure: this.target.secure,
        ignoreTLS: this.target.ignoreTLS,
        connectionTimeout: 10_000,
        greetingTimeout: 10_000,
        socketTimeout: 30_000,
      });
      conn.once('error', reject);
      conn.connect((err) => {
        if (err) return reject(err);
        if (!this.target.auth) return resolve(conn);
        conn.login(this.target.auth, (e) => (e ? reject(e) : resolve(conn)));
      });
    });
  }

  private async acquire(): Promise<SMTPConnection> {
    const idle = this.idle.pop();
    if (idle) return idle;
    if (this.live.size + this.connecting < this.target.maxConnections) {
      this.connecting++;
      try {
        const conn = await this.connect();
        this.live.add(conn);
        conn.on('error', () => undefined);
        conn.on('end', () => this.forget(conn));
        return conn;
      } finally {
        this.connecting--;
      }
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(conn: SMTPConnection, healthy: boolean): void {
    if (!healthy || this.closed) {
      this.forget(conn);
      conn.close();
      return;
    }
    const next = this.waiting.shift();
    if (next) next(conn);
    else this.idle.push(conn);
  }

  private forget(conn: SMTPConnection): void {
    if (!this.live.delete(conn)) return;
    const i = this.idle.indexOf(conn);
    if (i >= 0) this.idle.splice(i, 1);
    // Someone waiting can now open a fresh connection.
    const next = this.waiting.shift();
    if (next) this.acquire().then(next, () => this.waiting.unshift(next));
  }

  /**
   * Sends one message. `beforeEnd` runs once the server has accepted the envelope (354) and
   * the body is on its way, before the final "."; if it throws, the message is abandoned. The
   * "." goes out when it resolves, or earlier when it calls the `end` it is given (at the commit).
   */
  async send(mail: RawMail, beforeEnd: (end: () => void) => Promise<void>): Promise<{ response: string }> {
    const body = await composeMessage(mail.message);
    const conn = await this.acquire();
    let healthy = true;
    try {
      return await new Promise<{ response: string }>((resolve, reject) => {
        conn.send({ from: mail.from, to: [mail.to] }, new HeldMessage(body, beforeEnd, () => socketDrained(conn)), (err, info) => {
          if (err) {
            // A refused recipient leaves the session usable; anything else closes it.
            healthy = (err as { responseCode?: number }).responseCode !== undefined && (err as { code?: string }).code === 'EENVELOPE';
            reject(err);
          } else {
            resolve({ response: info.response });
          }
        });
      });
    } catch (err) {
      if (healthy) await new Promise<void>((r) => conn.reset(() => r()));
      throw err;
    } finally {
      this.release(conn, healthy);
    }
  }

  async verify(): Promise<void> {
    const conn = await this.connect();
    conn.quit();
  }

  close(): void {
    this.closed = true;
    for (const c of this.idle) c.quit();
    this.idle = [];
  }
}
