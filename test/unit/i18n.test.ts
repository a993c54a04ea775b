// Both languages are complete: every key in one catalogue is in the other, every key the code and
// the console use exists, and the ICU messages parse and format.
import fs from 'node:fs';
import path from 'node:path';
import { consoleKeysOf, consoleMessages, errorMessage, fromAcceptLanguage, keysOf, pickLanguage, t } from '../../src/i18n';
import { IntlMessageFormat } from 'intl-messageformat';
import { AUDIT_ACTIONS } from '../../console/src/pages/auditActions';
import { POLICY } from '../../src/domain/policy';
import { en } from '../../src/i18n/en';
import { QUEUES } from '../../src/queue/jobs';

const ROOT = path.join(__dirname, '..', '..');

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

describe('message catalogues', () => {
  it('have the same keys in English and German (server and console)', () => {
    expect(keysOf('de')).toEqual(keysOf('en'));
    expect(consoleKeysOf('de')).toEqual(consoleKeysOf('en'));
  });

  it('have every key the console uses, including the ones it composes, and every message formats', () => {
    const sources = walk(path.join(ROOT, 'console', 'src')).filter((f) => /\.tsx?$/.test(f) && !f.endsWith('.d.ts'));
    const code = sources.map((f) => fs.readFileSync(f, 'utf8')).join('\n');
    const used = [...code.matchAll(/\bt\('([^']+)'/g)].map((m) => m[1]!);
    expect(used.length).toBeGreaterThan(300);
    expect(used.filter((k) => !(k in consoleMessages('en')))).toEqual([]);
    // Keys the console builds from data: each prefix with every value the data can take.
    const composed: Record<string, string[]> = {
      status: ['setup', 'active', 'pending_link', 'frozen', 'trial'],
      state: ['invited', 'active', 'suspended', 'removed'],
      tab: ['setup', 'members', 'groups', 'vaults', 'recovery', 'policies', 'provisioning'],
      change: ['gain', 'lose', 'held', 'released', 'needs_owner'],
      held: ['remove_role', 'suspend', 'remove'],
      kind: ['owners', 'administrators', 'msp_technicians', 'custom'],
      groupAbout: ['owners', 'administrators', 'msp_technicians'],
      link: ['pending', 'awaiting_approval', 'linked', 'rejected', 'expired'],
      reason: ['not_found', 'not_a_company', 'region_mismatch', 'linked_elsewhere', 'already_linked', 'no_owner', 'owner_rejected', 'other_deployment'],
      recoveryStatus: ['pending', 'credentials_set', 'completed', 'expired', 'cancelled'],
      setup: ['policies', 'groups', 'vaults', 'recoveryPlan', 'invite', 'provisioning'],
      category: ['login', 'password', 'secure_note', 'credit_card', 'identity', 'server', 'software_license'],
      actor: ['member', 'technician', 'api_token', 'scim', 'operator', 'system'],
      queue: [...QUEUES],
      jobState: ['waiting', 'relayed', 'done'],
      action: [...AUDIT_ACTIONS],
    };
    for (const [prefix, values] of Object.entries(composed)) {
      expect(code).toContain(`t(\`${prefix}.\${`);
      for (const v of values)
        for (const lang of ['en', 'de'] as const)
          expect([lang, consoleMessages(lang)[`${prefix}.${v}` as keyof ReturnType<typeof consoleMessages>]]).toEqual([lang, expect.any(String)]);
    }
    for (const g of ['Owners', 'Administrators', 'MSP Technicians']) expect(consoleMessages('de')).toHaveProperty([`group.${g}`]);
    // The same ICU syntax as the server's catalogues: every message parses and formats in its locale.
    const values = {
      n: 3,
      count: 2,
      email: 'e@x',
      name: 'N',
      who: 'W',
      group: 'G',
      date: 'D',
      until: 'U',
      from: '1',
      to: '2',
      total: 3,
      filled: 1,
      done: 1,
      members: 2,
      mapped: 'none',
      reason: 'r',
      vault: 'V',
      company: 'C',
      title: 'T',
      what: 'w',
      since: 's',
      account: 'A',
      seatDays: 4,
      active: 1,
      setup: 0,
      trial: 0,
      frozen: 0,
      peak: 2,
      days: 3,
      drifted: 1,
      area: 'a',
      actual: 'x',
      expected: 'y',
    };
    for (const lang of ['en', 'de'] as const) {
      for (const [key, text] of Object.entries(consoleMessages(lang))) {
        expect([lang, key, new IntlMessageFormat(text, lang).format(values)]).toEqual([lang, key, expect.not.stringMatching(/\{\w+/)]);
      }
    }
  });

  it('names every action the audit log records, in both languages', () => {
    const source = walk(path.join(ROOT, 'src'))
      .concat(walk(path.join(ROOT, 'workers')))
      .filter((f) => f.endsWith('.ts'))
      .map((f) => fs.readFileSync(f, 'utf8'))
      .join('\n');
    // recordAudit(ctx, { action: '…' }) and auditOn(ctx, account, '…' or a ? '…' : '…', …)
    const literal = (text: string) => [...text.matchAll(/'([a-z_]+(?:\.[a-z_]+)*)'/g)].map((m) => m[1]!);
    const direct = [...source.matchAll(/\baction(?:: |\s*=\s*)(?:[^'\n]*\? )?'([a-z_]+(?:\.[a-z_]+)*)'/g)].map((m) => m[1]!);
    const viaAuditOn = [...source.matchAll(/\bauditOn\(([^;]{0,400})/g)].flatMap((m) => literal(m[1]!.split(',').slice(2, 3).join(',')));
    const recorded = new Set([...direct, ...viaAuditOn].filter((a) => !(a in POLICY)));
    expect(recorded.size).toBeGreaterThan(30);
    expect([...recorded].filter((a) => !(AUDIT_ACTIONS as readonly string[]).includes(a))).toEqual([]);
  });

  it('uses the help article’s German terms', () => {
    const de = consoleMessages('de');
    expect(de['nav.companies']).toBe('Verwaltete Unternehmen');
    expect(de['companies.new']).toBe('Neues Unternehmen');
    expect(de['newCompany.add']).toBe('Unternehmen hinzufügen');
    expect(de['tab.recovery']).toBe('Konten wiederherstellen');
    expect(de['unlink.action']).toBe('Verknüpfung aufheben');
    expect(Object.values(de).join(' ')).not.toMatch(/Unternehmen verwalten|Aufträge|\bStarten\b/);
  });

  it('has every key the server code uses (statically typed) and every message formats in both languages', () => {
    const source = walk(path.join(ROOT, 'src'))
      .filter((f) => f.endsWith('.ts'))
      .map((f) => fs.readFileSync(f, 'utf8'))
      .join('\n');
    const used = [...source.matchAll(/\bt\((?:lang|done\.language|lang0|'en'|'de'),\s*'([^']+)'/g)].map((m) => m[1]!);
    expect(used.length).toBeGreaterThan(20);
    for (const k of used) expect(Object.keys(en)).toContain(k);
    const values = {
      accountName: 'A',
      name: 'N',
      email: 'e@x',
      inviter: 'I',
      mspName: 'M',
      url: 'u',
      min: 10,
      days: 3,
      expiresAt: new Date('2026-12-01T00:00:00Z'),
      endsAt: new Date('2026-12-01T00:00:00Z'),
      company: 'C',
      createdAt: new Date('2026-12-01T00:00:00Z'),
      id: 'i',
      month: 'November 2026',
      from: 'f',
      to: 't',
      count: 2,
      notApplied: 1,
      requests: '10',
      errors: '1',
      rate: '10%',
      total: 3,
      applied: 1,
      discarded: 1,
      open: 1,
    };
    for (const lang of ['en', 'de'] as const) for (const k of keysOf(lang)) expect(t(lang, k as keyof typeof en, values)).not.toMatch(/\{\w+/);
  });

  it('formats plurals and dates by locale', () => {
    const v = { accountName: 'Acme', name: 'x', endsAt: new Date('2026-12-10T12:00:00Z') };
    expect(t('en', 'email.trial.body', { ...v, days: 1 })).toContain('1 day is left');
    expect(t('en', 'email.trial.body', { ...v, days: 5 })).toContain('5 days are left');
    expect(t('de', 'email.trial.body', { ...v, days: 1 })).toContain('Noch 1 Tag');
    expect(t('de', 'email.trial.body', { ...v, days: 5 })).toContain('10. Dezember 2026');
    expect(t('en', 'email.trial.body', { ...v, days: 5 })).toContain('December 10, 2026');
  });

  it('picks the language from IdP tags and Accept-Language', () => {
    expect(pickLanguage(['de-DE'])).toBe('de');
    expect(pickLanguage([null, 'en_US'])).toBe('en');
    expect(pickLanguage(['fr-FR'], 'de')).toBe('de');
    expect(fromAcceptLanguage('fr;q=0.9, de-AT;q=0.8, en;q=0.5')).toBe('de');
    expect(fromAcceptLanguage('en-GB,de;q=0.9')).toBe('en');
    expect(fromAcceptLanguage(undefined)).toBe('en');
  });

  it('localises error messages but never their codes', () => {
    expect(errorMessage('de', 'company.unlink.no_owner', 'english')).toMatch(/eigenen Eigentümer/);
    expect(errorMessage('en', 'company.unlink.no_owner', 'english')).toBe('english');
    expect(errorMessage('de', 'some.unknown.code', 'english')).toBe('english');
  });
});
