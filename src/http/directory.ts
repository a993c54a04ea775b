// The region directory over HTTP: this deployment answers "where does account X live?" for the
// other regions' deployments, and asks them the same question.
import crypto from 'node:crypto';
import { Router } from 'express';
import { type DirectoryEntry, type RegionDirectory, localDirectory } from '../domain/regions';
import type { Runtime } from '../runtime';

function tokenMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  if (!m) return false;
  const a = crypto.createHash('sha256').update(m[1]!).digest();
  const b = crypto.createHash('sha256').update(token).digest();
  return crypto.timingSafeEqual(a, b);
}

/** GET /internal/directory/accounts/:id, for deployments holding DIRECTORY_TOKEN (404 when unset). */
export function directoryRouter(rt: Runtime): Router {
  const r = Router();
  r.get('/internal/directory/accounts/:id', async (req, res) => {
    const token = rt.config.directoryToken;
    if (!token) {
      res.status(404).json({ error: { code: 'not_found', message: 'No such page.' } });
      return;
    }
    if (!tokenMatches(req.get('authorization'), token)) {
      res.status(401).json({ error: { code: 'unauthenticated', message: 'A valid directory token is required.' } });
      return;
    }
    const a = await localDirectory(rt.db).lookup(String(req.params.id).slice(0, 64));
    if (!a) {
      res.status(404).json({ error: { code: 'account.not_found', message: 'No such account in this region.' } });
      return;
    }
    res.json({ accountId: a.accountId, region: a.region, kind: a.kind, mspId: a.mspId });
  });
  return r;
}

/** Asks other regions' deployments (REGION_DIRECTORY) over HTTP; a failure makes the job retry. */
export function httpDirectory(urls: Readonly<Record<string, string>>, token: string | undefined, timeoutMs = 5000): RegionDirectory {
  return {
    async lookup(accountId): Promise<DirectoryEntry | undefined> {
      for (const [region, base] of Object.entries(urls)) {
        const res = await fetch(`${base}/internal/directory/accounts/${encodeURIComponent(accountId)}`, {
          headers: token ? { authorization: `Bearer ${token}` } : {},
          signal: AbortSignal.timeout(timeoutMs),
        });
        if (res.status === 404) continue;
        if (!res.ok) throw new Error(`region directory ${region} answered ${res.status}`);
        const body = (await res.json()) as Omit<DirectoryEntry, 'local'>;
        return { ...body, local: false };
      }
      return undefined;
    },
  };
}
