// The monthly client report as one printable HTML page, in the company's language: the figures,
// the offboarding proof (each deactivation the IdP asked for, when it took effect), joiners and leavers.
import type { MonthlyReport, Offboarding, Person } from '../domain/report';
import { t, type Language, type MessageKey } from '../i18n';
import { html, type Html, escapeHtml } from './html';

const STYLE = `@page{size:A4;margin:12mm}
body{font-family:system-ui,sans-serif;color:#1a1a1a;margin:0 auto;max-width:48rem;padding:1.5rem;font-size:11pt;line-height:1.4}
h1{font-size:1.5rem;margin:0 0 .25rem}h2{font-size:1.05rem;margin:1.4rem 0 .4rem;border-bottom:1px solid #d0d0d0;padding-bottom:.2rem}
.sub{color:#555;margin:0 0 1rem}.figures{display:grid;grid-template-columns:repeat(3,1fr);gap:.5rem}
.figure{border:1px solid #d0d0d0;border-radius:4px;padding:.5rem .7rem}.figure b{display:block;font-size:1.3rem}
.figure span{color:#555;font-size:.85rem}table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{text-align:left;padding:.25rem .4rem;border-bottom:1px solid #e4e4e4;vertical-align:top}th{color:#555;font-weight:600}
.num{text-align:right;font-variant-numeric:tabular-nums}
.people{columns:2;column-gap:1.5rem;list-style:none;padding:0;margin:0;font-size:.85rem}.people li{break-inside:avoid}.people span{color:#555}.none{color:#555}footer{margin-top:1.5rem;color:#555;font-size:.8rem}
@media print{body{padding:0;max-width:none;font-size:9pt}h1{font-size:1.25rem}h2{margin:.8rem 0 .3rem}.sub{margin-bottom:.6rem}
.figure{padding:.3rem .5rem;break-inside:avoid}.figure b{font-size:1.1rem}.people{columns:3}table{font-size:.85rem}}`;

function fmt(lang: Language) {
  const locale = lang === 'de' ? 'de-DE' : 'en-US';
  const num = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 });
  const pct = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 2 });
  const time = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });
  const month = new Intl.DateTimeFormat(locale, { month: 'long', year: 'numeric', timeZone: 'UTC' });
  const day = new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short', timeZone: 'UTC' });
  return {
    num: (n: number) => num.format(n),
    pct: (n: number) => pct.format(n),
    time: (iso: string) => `${time.format(new Date(iso))} UTC`,
    month: (iso: string) => month.format(new Date(iso)),
    day: (iso: string) => day.format(new Date(iso)),
    duration: (s: number | null) => (s === null ? '–' : s < 120 ? `${num.format(s)} s` : s < 7200 ? `${num.format(s / 60)} min` : `${num.format(s / 3600)} h`),
  };
}

const person = (p: Pick<Person, 'email' | 'userName' | 'memberId'>) => p.email ?? p.userName ?? p.memberId;

export function reportPage(r: MonthlyReport): string {
  const lang: Language = r.language;
  const f = fmt(lang);
  const w = (key: MessageKey, values: Record<string, string | number> = {}) => t(lang, key, values);
  const figure = (key: MessageKey, value: string) => html`<div class="figure"><b>${value}</b><span>${w(key)}</span></div>`;
  const outcome = (o: Offboarding) => w(`report.outcome.${o.outcome}` as MessageKey);
  // People as a compact list in columns: the summary and the offboarding proof stay on the first page.
  const people = (list: Person[], empty: MessageKey): Html =>
    list.length
      ? html`<ul class="people">
          ${list.map((p) => html`<li>${person(p)} <span>${f.day(p.at)}</span></li>`)}
        </ul>`
      : html`<p class="none">${w(empty)}</p>`;
  const title = w('report.title', { name: r.accountName, month: f.month(r.from) });
  const body = html`<h1>${title}</h1>
    <p class="sub">${w('report.period', { from: f.time(r.from), to: f.time(r.to) })}</p>
    <div class="figures">
      ${figure('report.joiners', f.num(r.joiners))}${figure('report.leavers', f.num(r.leavers))}${figure('report.invitationsSent', f.num(r.invitationsSent))}
      ${figure('report.invitationsAccepted', f.num(r.invitationsAccepted))}${figure('report.latencyMedian', f.duration(r.deprovisioningLatencyMedianSeconds))}${figure(
        'report.latencyMax',
        f.duration(r.deprovisioningLatencyMaxSeconds),
      )}
      ${figure('report.recoveries', f.num(r.recoveriesCompleted))}${figure('report.scimErrorRate', f.pct(r.scimErrorRate))}${figure('report.heldChanges', f.num(r.heldChanges))}
    </div>
    <h2>${w('report.offboarding')}</h2>
    <p>${w('report.offboardingExplain', { count: r.deprovisionings, notApplied: r.deprovisioningsNotApplied })}</p>
    ${
      r.offboarding.length
        ? html`<table>
            <thead>
              <tr>
                <th>${w('report.col.person')}</th>
                <th>${w('report.col.requested')}</th>
                <th>${w('report.col.applied')}</th>
                <th class="num">${w('report.col.latency')}</th>
                <th>${w('report.col.outcome')}</th>
              </tr>
            </thead>
            <tbody>
              ${r.offboarding.map(
                (o) =>
                  html`<tr>
                    <td>${person(o)}</td>
                    <td>${f.time(o.requestedAt)}</td>
                    <td>${o.appliedAt ? f.time(o.appliedAt) : '–'}</td>
                    <td class="num">${f.duration(o.latencySeconds)}</td>
                    <td>${outcome(o)}</td>
                  </tr>`,
              )}
            </tbody>
          </table>`
        : html`<p class="none">${w('report.noOffboarding')}</p>`
    }
    <h2>${w('report.joined')}</h2>
    ${people(r.joined, 'report.noneJoined')}
    <h2>${w('report.left')}</h2>
    ${people(r.left, 'report.noneLeft')}
    <h2>${w('report.scim')}</h2>
    <p>${w('report.scimExplain', { requests: f.num(r.scimRequests), errors: f.num(r.scimErrors), rate: f.pct(r.scimErrorRate) })}</p>
    <p>${w('report.heldExplain', { total: r.heldChanges, applied: r.heldChangesApplied, discarded: r.heldChangesDiscarded, open: r.heldChangesOpen })}</p>
    <footer>${w('report.footer', { id: r.accountId })}</footer>`;
  return `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body><main>${body.value}</main></body></html>`;
}
