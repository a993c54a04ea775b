// Account recovery, each rule its own test, with the worker sending the real email.
import { createMsp } from '../../../src/domain/accounts';
import { addCompany } from '../../../src/domain/companies';
import { DomainError } from '../../../src/domain/errors';
import { setManualMembership } from '../../../src/domain/groups';
import { lifecycleTick } from '../../../src/domain/lifecycle';
import { addManualMember } from '../../../src/domain/members';
import type { Principal } from '../../../src/domain/principal';
import { system } from '../../../src/domain/principal';
import { completeRecovery, startRecovery } from '../../../src/domain/recovery';
import { startStack, type TestApp } from '../../helpers/app';
import { asActor, asOp } from '../../helpers/ctx';
import { linkIn, startSmtp, type TestSmtp } from '../../helpers/smtp';

const DAY = 24 * 3600 * 1000;

describe('account recovery [sqlite]', () => {
  let smtp: TestSmtp;
  let app: TestApp;
  let company: string;
  let mspId: string;
  const people: Record<string, string> = {};
  let offset = 0;
  const clock = () => new Date(Date.now() + offset);

  const as = (name: string): Principal => ({ kind: 'member', accountId: company, memberId: people[name]!, label: `${name}@rec.example` });
  const start = (actor: Principal, target: string) =>
    asActor(app.rt.db, actor, (ctx) => startRecovery(ctx, { accountId: company, memberId: people[target]! }), clock());
  const refused = async (p: Promise<unknown>, code: string) => {
    const err = await p.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).code).toBe(code);
  };

  beforeAll(async () => {
    smtp = await startSmtp();
    app = await startStack('sqlite', { smtpUrl: smtp.url, now: clock });
    const msp = await asOp(app.rt.db, (ctx) => createMsp(ctx, { name: 'Rec MSP', region: 'us', ownerEmail: 'o@recmsp.example' }, ['us']));
    mspId = msp.account.id;
    company = (await asOp(app.rt.db, (ctx) => addCompany(ctx, { mspId, name: 'Rec Co', country: 'US' }))).id;
    for (const [name, group] of [
      ['owner', 'Owners'],
      ['owner2', 'Owners'],
      ['admin', 'Administrators'],
      ['admin2', 'Administrators'],
      ['alice', undefined],
      ['bob', undefined],
      ['newbie', undefined],
    ] as const) {
      const m = await asOp(app.rt.db, (ctx) =>
        addManualMember(ctx, { accountId: company, email: `${name}@rec.example`, group, state: name === 'newbie' ? 'invited' : 'active' }),
      );
      people[name] = m.id;
    }
  });
  afterAll(async () => {
    await app.close();
    await smtp.close();
  });

  it('lets an Administrator recover a member: email, new credentials, completion', async () => {
    const before = (await app.rt.db('members').where({ id: people.alice }).first()).password_hash;
    const req = await start(as('admin'), 'alice');
    const [mail] = await smtp.waitFor(1).then(() => smtp.mails.filter((m) => m.to.includes('alice@rec.example')));
    expect(mail!.subject).toBe('Recover your Rec Co account');
    const link = linkIn(mail!, 'recovery');
    expect((await fetch(link)).status).toBe(200);
    await refused(
      asActor(app.rt.db, as('admin'), (ctx) => completeRecovery(ctx, { accountId: company, requestId: req.id })),
      'recovery.not_ready',
    );
    const set = await fetch(link, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ password: 'brand new password 1' }),
    });
    expect(set.status).toBe(200);
    expect(await set.json()).toMatchObject({ status: 'credentials_set' });
    // The new password is not in effect until an administrator completes the recovery.
    expect((await app.rt.db('members').where({ id: people.alice }).first()).password_hash).toBe(before);
    const done = await asActor(app.rt.db, as('admin2'), (ctx) => completeRecovery(ctx, { accountId: company, requestId: req.id }));
    expect(done.status).toBe('completed');
    expect((await app.rt.db('members').where({ id: people.alice }).first()).password_hash).toMatch(/^scrypt\$/);
    const actions = (await app.rt.db('audit_events').where({ account_id: company }).whereLike('action', 'recovery.%').orderBy('id')).map(
      (e: { action: string }) => e.action,
    );
    expect(actions).toEqual(['recovery.started', 'recovery.credentials_set', 'recovery.completed']);
    expect((await fetch(link)).status).toBe(404);
  });

  it('refuses recovering yourself', async () => {
    await refused(start(as('admin'), 'admin'), 'recovery.self');
  });

  it('refuses an Administrator recovering an Owner, and allows an Owner', async () => {
    await refused(start(as('admin'), 'owner'), 'recovery.role');
    const r = await start(as('owner2'), 'owner');
    expect(r.status).toBe('pending');
  });

  it('refuses a plain member', async () => {
    await refused(start(as('alice'), 'bob'), 'role.required');
  });

  it('allows one open request per member', async () => {
    await start(as('owner'), 'bob');
    await refused(start(as('admin'), 'bob'), 'recovery.already_open');
  });

  it('refuses people who never signed in', async () => {
    await refused(start(as('owner'), 'newbie'), 'recovery.not_active');
  });

  it('lets a technician launched into the company recover a member but not an Owner; others outside are not told the account exists', async () => {
    const tech: Principal = { kind: 'technician', accountId: company, mspId, memberId: 'tech-1', launchId: 'launch-1', label: 'tech@recmsp.example' };
    await refused(
      asActor(app.rt.db, tech, (ctx) => startRecovery(ctx, { accountId: company, memberId: people.owner2! })),
      'recovery.role',
    );
    await asOp(app.rt.db, (ctx) => setManualMembership(ctx, { accountId: company, memberId: people.alice!, group: 'Administrators', member: false }));
    const r = await asActor(app.rt.db, tech, (ctx) => startRecovery(ctx, { accountId: company, memberId: people.alice! }));
    expect(r.actorKind).toBe('technician');
    const stranger: Principal = { kind: 'technician', accountId: 'another-company', mspId, memberId: 'tech-1', launchId: 'launch-2', label: 'x' };
    await refused(
      asActor(app.rt.db, stranger, (ctx) => startRecovery(ctx, { accountId: company, memberId: people.bob! })),
      'account.not_found',
    );
  });

  it('expires requests after three days', async () => {
    offset = 3 * DAY + 60_000;
    try {
      const report = await asActor(app.rt.db, system('test'), (ctx) => lifecycleTick(ctx), clock());
      expect(report.recoveriesExpired).toBeGreaterThanOrEqual(3);
      const open = await app.rt.db('recovery_requests').where({ account_id: company }).whereIn('status', ['pending', 'credentials_set']);
      expect(open).toHaveLength(0);
    } finally {
      offset = 0;
    }
  });
});
