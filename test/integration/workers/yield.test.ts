// `mspbridge start` runs the API and the workers in one process: while HTTP requests are in
// flight the workers start at most WORKER_YIELD_RATE jobs per second, and the backlog goes out
// at full speed once the requests are done — every email still exactly once.
import { startStack, type TestApp } from '../../helpers/app';
import { DIALECTS } from '../../helpers/db';
import { scimAccount, userBody, type ScimClient } from '../../helpers/scim';
import { startSmtp, type TestSmtp } from '../../helpers/smtp';

describe.each(DIALECTS)('workers yield to requests in the same process [%s]', (dialect) => {
  let smtp: TestSmtp;
  let app: TestApp;
  let c: ScimClient;

  beforeAll(async () => {
    smtp = await startSmtp();
    app = await startStack(dialect, { smtpUrl: smtp.url, env: { WORKER_YIELD_RATE: '1' } });
    c = await scimAccount(app.rt.db, app.url, { name: 'Yield Co' });
  });
  afterAll(async () => {
    await app.close();
    await smtp.close();
  });

  it('counts its HTTP requests as load', async () => {
    expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
    expect(app.rt.load.busy).toBe(true); // one just ended: keep-alive clients send the next at once
  });

  const arrivals = (prefix: string) =>
    smtp.mails
      .filter((m) => m.to.some((t) => t.startsWith(prefix)))
      .map((m) => m.at)
      .sort((a, b) => a - b);
  const waitFor = async (prefix: string, n: number) => {
    const until = Date.now() + 30_000;
    while (arrivals(prefix).length < n && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    return arrivals(prefix);
  };

  it('starts invitation jobs 1 s apart (WORKER_YIELD_RATE=1) while a request is in flight, each email once', async () => {
    const inFlight = app.rt.load.enter(); // a long request (an IdP's big page read) being served
    try {
      for (let i = 0; i < 6; i++) expect((await c.req('POST', '/Users', userBody(`held${i}@yield.example`))).status).toBe(201);
      const at = await waitFor('held', 6);
      expect(at).toHaveLength(6);
      // Five gaps of at least a second between job starts (less the jitter of SMTP round trips).
      expect(at[5]! - at[0]!).toBeGreaterThan(4000);
    } finally {
      inFlight();
    }
  });

  it('sends at full speed when no request is in flight', async () => {
    await new Promise((r) => setTimeout(r, 100));
    for (let i = 0; i < 6; i++) expect((await c.req('POST', '/Users', userBody(`free${i}@yield.example`))).status).toBe(201);
    const at = await waitFor('free', 6);
    expect(at).toHaveLength(6);
    expect(at[5]! - at[0]!).toBeLessThan(3000);
    await new Promise((r) => setTimeout(r, 300));
    expect(new Set(smtp.mails.flatMap((m) => m.to)).size).toBe(smtp.mails.length);
  });
});
