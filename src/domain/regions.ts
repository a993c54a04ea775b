// Where an account lives: the region directory asked by region validation. In one deployment
// the local database answers; a multi-region setup adds the other regions' deployments over HTTP.
import { getAccount } from '../db/accounts.repo';
import type { Tx } from '../db/knex';

export interface DirectoryEntry {
  accountId: string;
  region: string;
  kind: 'msp' | 'company';
  mspId: string | null;
  /** True when the account is in this deployment's database. */
  local: boolean;
}

export interface RegionDirectory {
  lookup(accountId: string): Promise<DirectoryEntry | undefined>;
}

export function localDirectory(tx: Tx): RegionDirectory {
  return {
    async lookup(accountId) {
      const a = await getAccount(tx, accountId);
      return a ? { accountId: a.id, region: a.region, kind: a.kind, mspId: a.mspId, local: true } : undefined;
    },
  };
}

/** Asks each directory in turn; the first that knows the account answers. */
export function chainDirectories(...dirs: RegionDirectory[]): RegionDirectory {
  return {
    async lookup(accountId) {
      for (const d of dirs) {
        const hit = await d.lookup(accountId);
        if (hit) return hit;
      }
      return undefined;
    },
  };
}
