// Pages reached from emailed links: accept an invitation, choose recovery credentials, approve
// a link request. GET shows the page; POST (JSON or the page's form) acts and answers 2xx.
import express, { type Request, type Response, Router } from 'express';
import type { Ctx } from '../domain/context';
import { isDomainError } from '../domain/errors';
import { jsonBody } from '../http/jsonBody';
import { acceptInvitation, invitationForToken, MIN_PASSWORD } from '../domain/invitations';
import { approvalFor, decideLink } from '../domain/links';
import { system } from '../domain/principal';
import { recoveryForToken, setRecoveryCredentials } from '../domain/recovery';
import { fromAcceptLanguage, type Language, t } from '../i18n';
import type { Runtime } from '../runtime';
import { html, page } from './html';
import { unitOfWork } from '../db/unitOfWork';

const TOKEN = /^[A-Za-z0-9_.-]{10,300}$/;

function wantsJson(req: Request): boolean {
  return req.is('application/json') === 'application/json' || (req.accepts(['html', 'json']) === 'json' && !req.is('application/x-www-form-urlencoded'));
}

function respond(req: Request, res: Response, status: number, lang: Language, title: string, message: string, json: Record<string, unknown>): void {
  if (wantsJson(req)) {
    res.status(status).json(json);
    return;
  }
  const cls = status < 300 ? 'ok' : 'error';
  res
    .status(status)
    .type('html')
    .send(page(lang, title, html`<p class="${cls}" role="${status < 300 ? 'status' : 'alert'}">${message}</p>`));
}

export function publicRouter(rt: Runtime): Router {
  const r = Router();
  r.use(['/invitations', '/recovery', '/links'], jsonBody('16kb'), express.urlencoded({ extended: false, limit: '16kb' }));
  /** One transaction acting as the link itself (the token is the credential). */
  const asLink = <T>(label: string, fn: (ctx: Ctx) => Promise<T>): Promise<T> => unitOfWork(rt.db, (tx) => fn({ tx, actor: system(label), now: rt.now() }));

  r.get('/invitations/:token', async (req, res) => {
    const lang0 = fromAcceptLanguage(req.get('accept-language'));
    const found = TOKEN.test(req.params.token) ? await invitationForToken(rt.db, req.params.token, rt.now()) : undefined;
    if (!found) {
      respond(req, res, 404, lang0, t(lang0, 'page.invitation.invalid'), t(lang0, 'page.invitation.invalid'), { error: { code: 'invitation.invalid' } });
      return;
    }
    const lang = (found.invitation.language as Language | null) ?? lang0;
    const v = { accountName: found.account.name, email: found.member.email ?? found.member.userName };
    res.type('html').send(
      page(
        lang,
        t(lang, 'page.invitation.title', v),
        html`<p>${t(lang, 'page.invitation.intro', v)}</p>
          <form method="post" action="/invitations/${req.params.token}">
            <label for="password">${t(lang, 'page.invitation.password')}</label>
            <input id="password" name="password" type="password" autocomplete="new-password" minlength="${MIN_PASSWORD}" required />
            <button type="submit">${t(lang, 'page.invitation.submit')}</button>
          </form>`,
      ),
    );
  });

  r.post('/invitations/:token', async (req, res) => {
    const lang0 = fromAcceptLanguage(req.get('accept-language'));
    try {
      if (!TOKEN.test(req.params.token)) throw Object.assign(new Error('invalid'), { code: 'invitation.invalid' });
      const done = await asLink('invitation link', (ctx) => acceptInvitation(ctx, req.params.token, String(req.body?.password ?? '')));
      respond(
        req,
        res,
        200,
        done.language,
        t(done.language, 'page.invitation.accepted', { accountName: done.accountName }),
        t(done.language, 'page.invitation.accepted', { accountName: done.accountName }),
        {
          status: 'accepted',
          accountId: done.accountId,
          memberId: done.memberId,
        },
      );
    } catch (err) {
      if (isDomainError(err) && err.code === 'password.too_short') {
        respond(req, res, 400, lang0, t(lang0, 'page.password.tooShort', { min: MIN_PASSWORD }), t(lang0, 'page.password.tooShort', { min: MIN_PASSWORD }), {
          error: { code: err.code, message: err.message },
        });
      } else if ((isDomainError(err) && err.kind === 'not_found') || (err as { code?: string }).code === 'invitation.invalid') {
        respond(req, res, 404, lang0, t(lang0, 'page.invitation.invalid'), t(lang0, 'page.invitation.invalid'), {
          error: { code: 'invitation.invalid', message: t('en', 'page.invitation.invalid') },
        });
      } else {
        throw err;
      }
    }
  });

  r.get('/recovery/:token', async (req, res) => {
    const lang0 = fromAcceptLanguage(req.get('accept-language'));
    const found = TOKEN.test(req.params.token) ? await recoveryForToken(rt.db, req.params.token, rt.now()) : undefined;
    if (!found) {
      respond(req, res, 404, lang0, t(lang0, 'page.recovery.invalid'), t(lang0, 'page.recovery.invalid'), { error: { code: 'recovery.invalid' } });
      return;
    }
    const lang = found.language;
    const v = { accountName: found.accountName, email: found.member.email ?? found.member.userName };
    res.type('html').send(
      page(
        lang,
        t(lang, 'page.recovery.title'),
        html`<p>${t(lang, 'page.recovery.intro', v)}</p>
          <form method="post" action="/recovery/${req.params.token}">
            <label for="password">${t(lang, 'page.invitation.password')}</label>
            <input id="password" name="password" type="password" autocomplete="new-password" minlength="${MIN_PASSWORD}" required />
            <button type="submit">${t(lang, 'email.recovery.button')}</button>
          </form>`,
      ),
    );
  });

  r.post('/recovery/:token', async (req, res) => {
    const lang0 = fromAcceptLanguage(req.get('accept-language'));
    try {
      const done = await asLink('recovery link', (ctx) => setRecoveryCredentials(ctx, req.params.token, String(req.body?.password ?? '')));
      respond(req, res, 200, lang0, t(lang0, 'page.recovery.done'), t(lang0, 'page.recovery.done'), { status: done.status, requestId: done.id });
    } catch (err) {
      if (isDomainError(err) && err.code === 'password.too_short') {
        respond(req, res, 400, lang0, t(lang0, 'page.password.tooShort', { min: MIN_PASSWORD }), t(lang0, 'page.password.tooShort', { min: MIN_PASSWORD }), {
          error: { code: err.code, message: err.message },
        });
      } else if (isDomainError(err) && err.kind === 'not_found') {
        respond(req, res, 404, lang0, t(lang0, 'page.recovery.invalid'), t(lang0, 'page.recovery.invalid'), {
          error: { code: 'recovery.invalid', message: err.message },
        });
      } else {
        throw err;
      }
    }
  });

  r.get('/links/:token', async (req, res) => {
    const lang0 = fromAcceptLanguage(req.get('accept-language'));
    const found = TOKEN.test(req.params.token) ? await approvalFor(rt.db, req.params.token, rt.secret) : undefined;
    if (!found) {
      respond(req, res, 404, lang0, t(lang0, 'page.link.invalid'), t(lang0, 'page.link.invalid'), { error: { code: 'link.invalid' } });
      return;
    }
    const lang = found.language;
    const v = { accountName: found.account.name, mspName: found.msp.name };
    res.type('html').send(
      page(
        lang,
        t(lang, 'page.link.title', v),
        html`<p>${t(lang, 'page.link.intro', v)}</p>
          <form method="post" action="/links/${req.params.token}">
            <button type="submit" name="decision" value="approve">${t(lang, 'page.link.approve')}</button>
            <button type="submit" name="decision" value="reject" class="secondary">${t(lang, 'page.link.reject')}</button>
          </form>`,
      ),
    );
  });

  r.post('/links/:token', async (req, res) => {
    const lang0 = fromAcceptLanguage(req.get('accept-language'));
    const decision = String(req.body?.decision ?? '');
    if (decision !== 'approve' && decision !== 'reject') {
      res.status(400).json({ error: { code: 'link.decision.invalid', message: 'decision is "approve" or "reject".' } });
      return;
    }
    try {
      const found = await approvalFor(rt.db, req.params.token, rt.secret);
      const view = await asLink('link approval', (ctx) => decideLink(ctx, req.params.token, decision === 'approve', rt.secret));
      const lang = found?.language ?? lang0;
      const v = { accountName: found?.account.name ?? '', mspName: found?.msp.name ?? '' };
      const message = decision === 'approve' ? t(lang, 'page.link.approved', v) : t(lang, 'page.link.rejected');
      respond(req, res, 200, lang, message, message, { ...view });
    } catch (err) {
      if (isDomainError(err) && (err.kind === 'not_found' || err.kind === 'conflict')) {
        respond(req, res, err.kind === 'conflict' ? 409 : 404, lang0, t(lang0, 'page.link.invalid'), t(lang0, 'page.link.invalid'), {
          error: { code: err.code, message: err.message },
        });
      } else {
        throw err;
      }
    }
  });
  return r;
}
