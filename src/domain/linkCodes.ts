// Linking by a code the account's Owner shares: the MSP types the code, never an account id, and
// learns nothing about the account it names until the Owner approves the link request as usual.
import crypto from 'node:crypto';
import { newId } from '../db/codec';
import { insertLinkCode, retireOpenLinkCodes, takeLinkCode } from '../db/linkCodes.repo';
import { auditOn } from './audit';
import { type Ctx, nowIso } from './context';
import { Invalid, NotFound } from './errors';
import { requestLink } from './links';
import { authorize } from './policy';
import { hashSecret } from './secrets';

export const LINK_CODE_TTL_MS = 7 * 24 * 3600 * 1000;
/** Crockford's base32: no I, L, O or U, so a code read aloud or retyped survives. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const CODE_CHARS = 16; // 80 bits: guessing is hopeless, rate limits aside

/** Upper case, without spaces or dashes, common look-alikes read as what they look like. */
export function normaliseLinkCode(raw: string): string {
  return raw.toUpperCase().replace(/[\s-]/g, '').replace(/[IL]/g, '1').replace(/O/g, '0');
}

function newCode(): string {
  const bytes = crypto.randomBytes(CODE_CHARS);
  const chars = [...bytes].map((b) => ALPHABET[b % 32]).join('');
  return chars.match(/.{4}/g)!.join('-');
}

/** An Owner of a company makes a code to give the MSP that should manage it (earlier codes stop working). */
export async function createLinkCode(ctx: Ctx, accountId: string): Promise<{ code: string; expiresAt: string }> {
  const account = await authorize(ctx, 'link_code.create', accountId);
  if (account.kind !== 'company') throw new Invalid('link_code.not_a_company', 'Only a company account can be linked to an MSP.');
  const code = newCode();
  const now = nowIso(ctx);
  const expiresAt = new Date(ctx.now.getTime() + LINK_CODE_TTL_MS).toISOString();
  await retireOpenLinkCodes(ctx.tx, account.id, now);
  await insertLinkCode(ctx.tx, {
    id: newId(),
    accountId: account.id,
    codeHash: hashSecret(normaliseLinkCode(code)),
    createdBy: ctx.actor.label,
    createdAt: now,
    expiresAt,
  });
  await auditOn(ctx, account, 'link_code.created', undefined, { expiresAt });
  return { code, expiresAt };
}

/** The MSP asks to link the account a code names; region checks and the Owner's approval follow. */
export async function requestLinkByCode(ctx: Ctx, input: { mspId: string; code: string }) {
  await authorize(ctx, 'link.request', input.mspId);
  const accountId = await takeLinkCode(ctx.tx, hashSecret(normaliseLinkCode(input.code)), input.mspId, nowIso(ctx));
  if (!accountId)
    throw new NotFound('link_code.invalid', 'This link code is not valid: it may be mistyped, used or expired. Ask the company’s Owner for a new one.');
  const link = await requestLink(ctx, { mspId: input.mspId, accountId });
  return { requestId: link.requestId, status: link.status, reason: link.reason, expiresAt: link.expiresAt };
}
