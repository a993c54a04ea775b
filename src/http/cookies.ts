// Cookies without a dependency: parsing the header, and Set-Cookie with safe defaults.
import crypto from 'node:crypto';

/** The console session cookie (HttpOnly, SameSite=Lax, Secure over https). */
export const SESSION_COOKIE = 'msb_session';

export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i < 1) continue;
    const name = part.slice(0, i).trim();
    try {
      out[name] = decodeURIComponent(part.slice(i + 1).trim());
    } catch {
      // a malformed cookie is ignored, not fatal
    }
  }
  return out;
}

export interface CookieOptions {
  maxAgeSeconds?: number;
  secure: boolean;
  path?: string;
  sameSite?: 'Lax' | 'Strict';
  httpOnly?: boolean;
}

export function serializeCookie(name: string, value: string, o: CookieOptions): string {
  const parts = [`${name}=${encodeURIComponent(value)}`, `Path=${o.path ?? '/'}`, `SameSite=${o.sameSite ?? 'Lax'}`];
  if (o.httpOnly !== false) parts.push('HttpOnly');
  if (o.secure) parts.push('Secure');
  if (o.maxAgeSeconds !== undefined) parts.push(`Max-Age=${o.maxAgeSeconds}`);
  return parts.join('; ');
}

/** value.mac, where mac = HMAC(secret, value): for short-lived state kept in the browser. */
export function sign(secret: Buffer, value: string): string {
  return `${value}.${crypto.createHmac('sha256', secret).update(value).digest('base64url')}`;
}

export function unsign(secret: Buffer, signed: string | undefined): string | undefined {
  if (!signed) return undefined;
  const i = signed.lastIndexOf('.');
  if (i < 1) return undefined;
  const value = signed.slice(0, i);
  const expected = Buffer.from(sign(secret, value));
  const given = Buffer.from(signed);
  return expected.length === given.length && crypto.timingSafeEqual(expected, given) ? value : undefined;
}

export function safeEqual(a: string, b: string): boolean {
  const x = crypto.createHash('sha256').update(a).digest();
  const y = crypto.createHash('sha256').update(b).digest();
  return crypto.timingSafeEqual(x, y);
}
