// Random credentials, shown once and stored only as hashes; compared in constant time.
import crypto from 'node:crypto';

export interface IssuedSecret {
  /** The secret itself: returned to the caller once, never stored. */
  value: string;
  /** sha256 hex of the secret: what is stored and looked up. */
  hash: string;
  /** A short, non-secret prefix to tell tokens apart in listings. */
  prefix: string;
}

export function issueSecret(kind: string): IssuedSecret {
  const value = `${kind}_${crypto.randomBytes(32).toString('base64url')}`;
  return { value, hash: hashSecret(value), prefix: value.slice(0, kind.length + 7) };
}

export function hashSecret(value: string): string {
  return crypto.createHash('sha256').update(value, 'utf8').digest('hex');
}

/** Constant-time comparison of two hex digests of equal length. */
export function sameHash(a: string, b: string): boolean {
  const ab = Buffer.from(a, 'hex');
  const bb = Buffer.from(b, 'hex');
  return ab.length === bb.length && ab.length > 0 && crypto.timingSafeEqual(ab, bb);
}

const SCRYPT = { N: 16384, r: 8, p: 1, keylen: 32 } as const;

/** scrypt password hash in a self-describing string: scrypt$N$r$p$salt$hash. */
export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.randomBytes(16);
  const key = await scrypt(password, salt, SCRYPT.N, SCRYPT.r, SCRYPT.p, SCRYPT.keylen);
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [algo, n, r, p, salt, hash] = stored.split('$');
  if (algo !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const key = await scrypt(password, Buffer.from(salt, 'base64url'), Number(n), Number(r), Number(p), expected.length);
  return crypto.timingSafeEqual(key, expected);
}

function scrypt(password: string, salt: Buffer, N: number, r: number, p: number, keylen: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    crypto.scrypt(password, salt, keylen, { N, r, p, maxmem: 64 * 1024 * 1024 }, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

/**
 * A token derived from the deployment secret and a purpose ("invite:<id>:<n>"): the same
 * purpose always gives the same token, so a resent email carries the same working link,
 * while only its hash is stored.
 */
export function deriveToken(secret: Buffer, kind: string, purpose: string): string {
  return `${kind}_${crypto.createHmac('sha256', secret).update(purpose).digest('base64url')}`;
}

/** A self-verifying token "<a>.<b>.<mac>" for links that name their own subject (no storage). */
export function signParts(secret: Buffer, kind: string, parts: string[]): string {
  const mac = crypto
    .createHmac('sha256', secret)
    .update(`${kind}:${parts.join(':')}`)
    .digest('base64url');
  return [...parts, mac].join('.');
}

export function verifyParts(secret: Buffer, kind: string, token: string, count: number): string[] | undefined {
  const pieces = token.split('.');
  if (pieces.length !== count + 1) return undefined;
  const parts = pieces.slice(0, count);
  const expected = Buffer.from(signParts(secret, kind, parts).split('.').pop()!, 'utf8');
  const given = Buffer.from(pieces[count]!, 'utf8');
  return expected.length === given.length && crypto.timingSafeEqual(expected, given) ? parts : undefined;
}

/** The key for sealing stored secrets of one purpose, derived from the deployment secret. */
const sealKey = (secret: Buffer, purpose: string): Buffer => Buffer.from(crypto.hkdfSync('sha256', secret, Buffer.alloc(0), `mspbridge seal:${purpose}`, 32));

/**
 * A secret the server must use again later (a webhook's signing key), encrypted at rest with
 * AES-256-GCM: "v1.<iv>.<tag>.<ciphertext>" in base64url.
 */
export function sealSecret(secret: Buffer, purpose: string, plain: string): string {
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv('aes-256-gcm', sealKey(secret, purpose), iv);
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
}

/** The sealed secret, or undefined when it was sealed with another key or altered. */
export function openSealed(secret: Buffer, purpose: string, sealed: string): string | undefined {
  const [v, iv, tag, body] = sealed.split('.');
  if (v !== 'v1' || !iv || !tag || body === undefined) return undefined;
  try {
    const decipher = crypto.createDecipheriv('aes-256-gcm', sealKey(secret, purpose), Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}
