// The console's language for a signed-in person: chosen in this session, else their own setting
// (or what their IdP says), else the browser's; choosing one keeps it with the session and as
// the person's own setting unless their IdP owns it.
import type { Tx } from '../db/knex';
import { getMemberAnyState, setOwnLanguage } from '../db/members.repo';
import { type SessionRow, setSessionLanguage } from '../db/sessions.repo';
import { type Language, pickLanguage } from '../i18n';

export async function consoleLanguageOf(tx: Tx, session: SessionRow, browser: Language): Promise<Language> {
  const member = await getMemberAnyState(tx, session.accountId, session.memberId);
  return pickLanguage([session.language, member?.preferredLanguage, member?.locale], browser);
}

export async function chooseConsoleLanguage(tx: Tx, session: SessionRow, lang: Language): Promise<void> {
  await setSessionLanguage(tx, session.accountId, session.id, lang);
  await setOwnLanguage(tx, session.accountId, session.memberId, lang);
}
