// POST /auth/email-link {"email"}: 202 whatever the address, so nobody can ask which addresses
// are known; a known person gets a one-time sign-in link by email (the signin worker sends it).
// Rate-limited per client and per address, the points taken before any work.
import crypto from 'node:crypto';
import express, { type Request, type Response, Router } from 'express';
import { unitOfWork } from '../db/unitOfWork';
import { requestEmailLink } from '../domain/emailSignIn';
import { system } from '../domain/principal';
import { jsonBody } from '../http/jsonBody';
import { SharedLimit } from '../http/rateLimit';
import type { Runtime } from '../runtime';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function emailLinkRouter(rt: Runtime): Router {
  const r = Router();
  const perClient = new SharedLimit(rt, 'email-link:client', { points: 20, durationS: 15 * 60 });
  const perAddress = new SharedLimit(rt, 'email-link:address', { points: 3, durationS: 15 * 60 });

  r.post('/auth/email-link', jsonBody('4kb'), express.urlencoded({ extended: false, limit: '4kb' }), async (req: Request, res: Response) => {
    const email = String(req.body?.email ?? '').trim();
    // The address is kept in Redis only as a hash.
    const addressKey = crypto.createHash('sha256').update(email.toLowerCase()).digest('hex');
    const wait = Math.max(await perClient.take(req.ip ?? 'unknown'), EMAIL.test(email) ? await perAddress.take(addressKey) : 0);
    if (wait > 0) {
      res.setHeader('Retry-After', String(wait));
      return res.status(429).json({ error: { code: 'rate_limited', message: 'Too many sign-in links asked for; wait before retrying.' } });
    }
    res.status(202).json({ accepted: true });
    if (!EMAIL.test(email) || email.length > 320) return;
    // After the answer: a known address must not take measurably longer than an unknown one.
    setImmediate(() => {
      unitOfWork(rt.db, (tx) => requestEmailLink({ tx, actor: system('email sign-in'), now: rt.now() }, email, rt.secret)).catch((err: Error) =>
        req.log.error({ err: err.message }, 'could not create an email sign-in link'),
      );
    });
  });
  return r;
}
