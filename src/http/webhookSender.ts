// Sends one signed webhook POST with node:http(s): to the address the target check resolved (the
// hostname still names the TLS certificate and Host), 10 s timeout, redirects never followed.
import crypto from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { VERSION } from '../version';
import { resolveTarget } from './webhookTarget';

export const SIGNATURE_HEADER = 'Mspbridge-Signature';

/** `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`, keyed by the secret string as printed. */
export function signatureHeader(secret: string, body: string, unixSeconds: number): string {
  const mac = crypto.createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex');
  return `t=${unixSeconds},v1=${mac}`;
}

export interface SendResult {
  ok: boolean;
  statusCode: number | null;
  error: string | null;
}

export interface SendOptions {
  url: string;
  secret: string;
  body: string;
  allowPrivate: boolean;
  timeoutMs: number;
  now: () => Date;
}

/** One attempt: 2xx is delivered; any other answer, a refusal, a timeout or a network error is not. */
export async function sendWebhook(o: SendOptions): Promise<SendResult> {
  let target;
  try {
    // Checked again at send time: DNS may have changed since the hook was added.
    target = await resolveTarget(o.url, o.allowPrivate);
  } catch (err) {
    return { ok: false, statusCode: null, error: (err as Error).message };
  }
  const pinned: LookupFunction = (_host, options, cb) => {
    if ((options as { all?: boolean }).all)
      (cb as (e: null, a: Array<{ address: string; family: number }>) => void)(null, [{ address: target.address, family: target.family }]);
    else cb(null, target.address, target.family);
  };
  const t = Math.floor(o.now().getTime() / 1000);
  const client = target.url.protocol === 'https:' ? https : http;
  return new Promise<SendResult>((resolve) => {
    let settled = false;
    const done = (r: SendResult) => {
      if (settled) return;
      settled = true;
      resolve(r);
    };
    const req = client.request(
      target.url,
      {
        method: 'POST',
        lookup: pinned,
        agent: false,
        headers: {
          'Content-Type': 'application/json',
          'Content-Length': Buffer.byteLength(o.body),
          'User-Agent': `mspbridge-webhooks/${VERSION}`,
          [SIGNATURE_HEADER]: signatureHeader(o.secret, o.body, t),
        },
      },
      (res) => {
        const code = res.statusCode ?? 0;
        // The answer's body is not needed: drain a little and hang up.
        res.resume();
        res.on('error', () => undefined);
        req.destroy();
        if (code >= 200 && code < 300) done({ ok: true, statusCode: code, error: null });
        else if (code >= 300 && code < 400) done({ ok: false, statusCode: code, error: `redirect to ${res.headers.location ?? '(no location)'} not followed` });
        else done({ ok: false, statusCode: code, error: `HTTP ${code}` });
      },
    );
    // A whole-attempt deadline (not an idle timeout): a receiver dribbling bytes cannot hold it.
    const timer = setTimeout(() => {
      done({ ok: false, statusCode: null, error: `no answer within ${o.timeoutMs} ms` });
      req.destroy();
    }, o.timeoutMs);
    req.on('close', () => clearTimeout(timer));
    req.on('error', (err) => done({ ok: false, statusCode: null, error: err.message }));
    req.end(o.body);
  });
}
