// Deep paging without OFFSET's walk: SCIM has no cursor, but IdPs page in order. Per (account,
// filter) this remembers the total and, for the offsets where a served page began or ended, the row
// to seek from, all stamped with the account's members_version (moved in the transaction of every
// write to its people). A remembered key is used only when the version read after the page is still
// the one it was stamped with: nothing changed in between, so the seek answers what OFFSET would.
import type { Tx } from './knex';
import { first, shape } from './prepared';

/** Where a page at some offset starts: at this row (inclusive) or right after it. */
export interface Anchor {
  id: string;
  inclusive: boolean;
}

interface Entry {
  version: number;
  total?: number;
  anchors: Map<number, Anchor>;
}

const MAX_ENTRIES = 1000;
const MAX_ANCHORS = 256;

export class PageKeys {
  private readonly entries = new Map<string, Entry>();

  /** What is remembered for key at version (undefined: nothing, or stale). */
  lookup(key: string, offset: number): { version: number; total?: number; anchor?: Anchor } | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    return { version: e.version, total: e.total, anchor: e.anchors.get(offset) };
  }

  /** Remembers a page served at version: the total, where it started and where the next one starts. */
  remember(key: string, version: number, page: { offset: number; limit: number; total: number; ids: string[] }): void {
    let e = this.entries.get(key);
    if (!e || e.version !== version) {
      if (!e && this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
      e = { version, anchors: new Map() };
      this.entries.set(key, e);
    }
    e.total = page.total;
    if (e.anchors.size >= MAX_ANCHORS) e.anchors.clear();
    if (page.ids.length) e.anchors.set(page.offset, { id: page.ids[0]!, inclusive: true });
    if (page.ids.length === page.limit) e.anchors.set(page.offset + page.limit, { id: page.ids[page.ids.length - 1]!, inclusive: false });
  }

  forget(key: string): void {
    this.entries.delete(key);
  }
}

const VERSION = shape('select members_version from accounts where id = ?');

/** The account's people version now (0 for an account that is gone). */
export async function membersVersion(tx: Tx, accountId: string): Promise<number> {
  return Number((await first(tx, VERSION, [accountId]))?.members_version ?? 0);
}
