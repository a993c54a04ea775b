// The emails the product sends, in the recipient's language, each with a text and an HTML part.
import { type Language, type MessageKey, type Values, t } from '../i18n';
import { escapeHtml } from '../http/escapeHtml';
import { MSP_EVENT_TYPES } from '../domain/mspEvents';

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
  language: Language;
}

interface Parts {
  subject: MessageKey;
  greeting?: boolean;
  paragraphs: MessageKey[];
  button?: { label: MessageKey; url: string };
  after?: MessageKey[];
  /** Lines shown as given (already localized or data), after the paragraphs. */
  literal?: string[];
}

function render(lang: Language, parts: Parts, values: Values): RenderedMail {
  // Each message goes into the text and the HTML part: formatted once.
  const done = new Map<MessageKey, string>();
  const tr = (k: MessageKey) => {
    let out = done.get(k);
    if (out === undefined) done.set(k, (out = t(lang, k, values)));
    return out;
  };
  const lines = [
    ...(parts.greeting ? [tr('email.invitation.greeting')] : []),
    ...parts.paragraphs.map(tr),
    ...(parts.literal ?? []),
    ...(parts.button ? [`${tr(parts.button.label)}: ${parts.button.url}`] : []),
    ...(parts.after ?? []).map(tr),
    '--',
    tr('email.signature'),
    tr('email.footer'),
  ];
  const html = `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><title>${escapeHtml(tr(parts.subject))}</title></head>
<body style="font-family: system-ui, sans-serif; line-height: 1.5; color: #1a1a1a">
${parts.greeting ? `<p>${escapeHtml(tr('email.invitation.greeting'))}</p>` : ''}
${parts.paragraphs.map((k) => `<p>${escapeHtml(tr(k))}</p>`).join('\n')}
${parts.literal?.length ? `<pre style="font-size:13px;background:#f4f4f4;padding:8px">${escapeHtml(parts.literal.join('\n'))}</pre>` : ''}
${parts.button ? `<p><a href="${escapeHtml(parts.button.url)}" style="display:inline-block;padding:10px 16px;background:#0b5cad;color:#fff;text-decoration:none;border-radius:4px">${escapeHtml(tr(parts.button.label))}</a></p><p style="font-size:12px;color:#555">${escapeHtml(parts.button.url)}</p>` : ''}
${(parts.after ?? []).map((k) => `<p style="font-size:13px">${escapeHtml(tr(k))}</p>`).join('\n')}
<hr><p style="font-size:12px;color:#555">${escapeHtml(tr('email.signature'))}<br>${escapeHtml(tr('email.footer'))}</p>
</body></html>`;
  return { subject: tr(parts.subject), text: lines.join('\n\n'), html, language: lang };
}

// Without a person who invited (an IdP push), the email does not say "Müller GmbH invited you to Müller GmbH".
export const invitationMail = (lang: Language, v: { name: string; inviter: string | null; accountName: string; url: string; expiresAt: Date }) =>
  render(
    lang,
    {
      subject: 'email.invitation.subject',
      greeting: true,
      paragraphs: [v.inviter ? 'email.invitation.body' : 'email.invitation.bodyNoInviter'],
      button: { label: 'email.invitation.button', url: v.url },
      after: ['email.invitation.expires'],
    },
    v,
  );

export const reminderMail = (lang: Language, v: { name: string; accountName: string; url: string; expiresAt: Date }) =>
  render(
    lang,
    { subject: 'email.reminder.subject', greeting: true, paragraphs: ['email.reminder.body'], button: { label: 'email.invitation.button', url: v.url } },
    v,
  );

export const recoveryMail = (lang: Language, v: { name: string; accountName: string; url: string; expiresAt: Date }) =>
  render(
    lang,
    {
      subject: 'email.recovery.subject',
      greeting: true,
      paragraphs: ['email.recovery.body'],
      button: { label: 'email.recovery.button', url: v.url },
      after: ['email.recovery.expires'],
    },
    v,
  );

export const linkApprovalMail = (lang: Language, v: { name: string; mspName: string; accountName: string; url: string; expiresAt: Date }) =>
  render(
    lang,
    {
      subject: 'email.link.subject',
      greeting: true,
      paragraphs: ['email.link.body'],
      button: { label: 'email.link.approve', url: v.url },
      after: ['email.link.expires'],
    },
    v,
  );

export const trialMail = (lang: Language, v: { name: string; accountName: string; endsAt: Date; days: number }) =>
  render(lang, { subject: 'email.trial.subject', greeting: true, paragraphs: ['email.trial.body'] }, v);

export const signinLinkMail = (lang: Language, v: { name: string; accountName: string; url: string; expiresAt: Date }) =>
  render(
    lang,
    {
      subject: 'email.signin.subject',
      greeting: true,
      paragraphs: ['email.signin.body'],
      button: { label: 'email.signin.button', url: v.url },
      after: ['email.signin.expires', 'email.signin.notYou'],
    },
    v,
  );

/** Each event type's subject and summary keys (what a contact reads first). */
const EVENT_KEYS: Record<string, { subject: MessageKey; body: MessageKey }> = Object.fromEntries(
  MSP_EVENT_TYPES.map((type) => [type, { subject: `email.event.${type}.subject` as MessageKey, body: `email.event.${type}.body` as MessageKey }]),
);

/** An MSP event for a contact: the summary in their language, then the event's data as the webhook sends it. */
export const mspEventMail = (
  lang: Language,
  v: { type: string; mspName: string; companyName: string | null; data: Record<string, unknown>; createdAt: Date },
  publicUrl: string,
) => {
  const keys = EVENT_KEYS[v.type]!;
  const company = v.companyName ?? (typeof v.data.accountId === 'string' ? v.data.accountId : v.mspName);
  const details = Object.entries(v.data).map(([k, x]) => `${k}: ${typeof x === 'object' && x !== null ? JSON.stringify(x) : String(x)}`);
  return render(
    lang,
    {
      subject: keys.subject,
      paragraphs: ['email.event.intro', keys.body, 'email.event.details'],
      literal: [`type: ${v.type}`, ...details],
      button: { label: 'email.event.button', url: publicUrl },
      after: ['email.event.why'],
    },
    { mspName: v.mspName, company, createdAt: v.createdAt, accountName: v.mspName },
  );
};
