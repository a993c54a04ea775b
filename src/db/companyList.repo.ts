// One MSP's Managed Companies list: search, status filter, sort and page, each shape a prepared
// statement, with the total remembered per (MSP, status, search) while the MSP's companies stand
// still (company_list_versions, moved by triggers: migration 014).
import type { Account, AccountStatus } from './accounts.repo';
import { type Tx, isPg } from './knex';
import { foldName } from './nameFold';
import { first, rows as preparedRows, shape } from './prepared';
import { bool, int, likeEscape, rowCodec, text } from './codec';

export type CompanySort = 'name' | 'status' | 'seats';

export interface CompanyQuery {
  search?: string;
  status?: AccountStatus;
  sort?: CompanySort;
  order?: 'asc' | 'desc';
  limit: number;
  offset: number;
  /** Only the companies assigned to this MSP Technician (technician scope `assigned`). */
  assignedTo?: string;
}

/** What a row of the list shows (the rest of a company is read when it is opened). */
export type CompanyListItem = Pick<Account, 'id' | 'name' | 'status' | 'region' | 'seatsFilled' | 'seatsTotal' | 'seatsCapped'>;

const ITEM = rowCodec<CompanyListItem>({ id: text, name: text, status: text, region: text, seatsFilled: int, seatsTotal: int, seatsCapped: bool });

/** The shortest search the trigram indexes answer; shorter ones test the MSP's folded names. */
const TRIGRAM = 3;

/**
 * A search matching at least 1 in WALK_DENSITY of the companies walks the sort order and tests each
 * entry (the sort indexes carry name_fold): at most all of the MSP's index entries (~0.13 µs each
 * at 10,000 companies), far fewer when the matches are spread over the order, all of them when
 * they cluster at its end (a word names start with, sorted by name). FTS5 costs ~1-2 µs per match
 * (position lists, the row, the sort): only a rarer term is cheaper through it than a whole walk.
 */
const WALK_DENSITY = 20;

const ORDER: Record<CompanySort, (dir: 'asc' | 'desc') => string> = {
  name: (dir) => `name_ci ${dir}, id asc`,
  status: (dir) => `status ${dir}, name_ci asc, id asc`,
  seats: (dir) => `seats_filled ${dir}, name_ci asc, id asc`,
};

interface Filter {
  where: string;
  bindings: unknown[];
}

/**
 * The WHERE of a list query. A search term is the folded name part; `via` says how it is found:
 * `walk` tests each company of the MSP (SQLite instr, PostgreSQL strpos: no planner mistakes them
 * for an index search); `index` asks the trigram index (SQLite's FTS5 table, with instr keeping the
 * answer exactly the substring test; PostgreSQL's pg_trgm GIN index through LIKE, whose planner
 * still walks the sort order when that is cheaper).
 */
function filterOf(tx: Tx, mspId: string, q: CompanyQuery, term: string, via: 'walk' | 'index'): Filter {
  const pg = isPg(tx);
  let where = 'msp_id = ? and kind = ?';
  const bindings: unknown[] = [mspId, 'company'];
  if (q.status) {
    where += ' and status = ?';
    bindings.push(q.status);
  }
  if (term && via === 'walk') {
    where += pg ? ' and strpos(name_fold, ?) > 0' : ' and instr(name_fold, ?) > 0';
    bindings.push(term);
  } else if (term && pg) {
    where += ` and name_fold like ? escape '\\'`;
    bindings.push(`%${likeEscape(term)}%`);
  } else if (term) {
    where += ' and accounts.rowid in (select rowid from accounts_name_fts where accounts_name_fts match ?) and instr(name_fold, ?) > 0';
    bindings.push(`"${term.replace(/"/g, '""')}"`, term);
  }
  if (q.assignedTo) {
    where += ' and exists (select 1 from technician_assignments as ta where ta.company_id = accounts.id and ta.member_id = ?)';
    bindings.push(q.assignedTo);
  }
  return { where, bindings };
}

const isShort = (term: string) => [...term].length < TRIGRAM;

async function countOf(tx: Tx, mspId: string, q: CompanyQuery, term: string): Promise<number> {
  const f = filterOf(tx, mspId, q, term, isShort(term) ? 'walk' : 'index');
  return Number((await first(tx, shape(`select count(*) as n from accounts where ${f.where}`), f.bindings))!.n);
}

// ---- totals remembered while the MSP's companies stand still ----

const MAX_TOTALS = 5000;
const totals = new Map<string, { version: number; total: number }>();

const VERSION_SQLITE = shape('select version from company_list_versions where msp_id = ?');
const VERSION_PG = shape('select (select version from company_list_versions where msp_id = ?) as version, txid_current_if_assigned() is not null as wrote');

/**
 * The MSP's list version now; undefined when a remembered total cannot be trusted in tx: on
 * PostgreSQL the counter moves at commit, so a transaction that has written may hold changes it
 * does not show yet.
 */
async function listVersion(tx: Tx, mspId: string): Promise<number | undefined> {
  const r = await first(tx, isPg(tx) ? VERSION_PG : VERSION_SQLITE, [mspId]);
  if (r?.wrote === true) return undefined;
  return Number(r?.version ?? 0);
}

/**
 * The number of the MSP's companies matching status and term: remembered per version; counted
 * (and remembered only if the version stood still meanwhile) otherwise. A technician's scope is
 * always counted (assignments do not move the version).
 */
async function totalOf(tx: Tx, mspId: string, q: CompanyQuery, term: string, version: number | undefined): Promise<number> {
  if (q.assignedTo || version === undefined) return countOf(tx, mspId, q, term);
  const key = `${mspId}\u0000${q.status ?? ''}\u0000${term}`;
  const known = totals.get(key);
  if (known?.version === version) return known.total;
  const total = await countOf(tx, mspId, q, term);
  if ((await listVersion(tx, mspId)) === version) {
    totals.delete(key);
    if (totals.size >= MAX_TOTALS) totals.delete(totals.keys().next().value!);
    totals.set(key, { version, total });
  }
  return total;
}

/**
 * One MSP's managed companies: search (accent- and case-insensitive substring of the name),
 * filter, sort and page in SQL on the (msp_id, kind, <sort>) indexes; ties by name, then id.
 */
export async function listManagedCompanies(tx: Tx, mspId: string, q: CompanyQuery): Promise<{ total: number; items: CompanyListItem[] }> {
  const term = q.search ? foldName(q.search) : '';
  const version = q.assignedTo ? undefined : await listVersion(tx, mspId);
  const total = await totalOf(tx, mspId, q, term, version);
  if (q.offset >= total || q.limit <= 0) return { total, items: [] };
  let via: 'walk' | 'index' = 'walk';
  if (term && !isShort(term)) {
    // PostgreSQL's planner weighs LIKE itself; SQLite asks FTS5 only for rare terms.
    via = isPg(tx) || total * WALK_DENSITY < (await totalOf(tx, mspId, q, '', version)) ? 'index' : 'walk';
  }
  const f = filterOf(tx, mspId, q, term, via);
  const sort = q.sort ?? 'name';
  const order = ORDER[sort](q.order ?? (sort === 'seats' ? 'desc' : 'asc'));
  const cols = ITEM.columnList();
  // A short term on PostgreSQL walks an index-only scan for the page's ids (a plain index scan would read the table for every company it skips).
  const sql =
    isPg(tx) && term && isShort(term)
      ? `select ${cols} from accounts where id in (select id from accounts where ${f.where} order by ${order} limit ? offset ?) order by ${order}`
      : `select ${cols} from accounts where ${f.where} order by ${order} limit ? offset ?`;
  const items = (await preparedRows(tx, shape(sql), [...f.bindings, q.limit, q.offset])).map(ITEM.read);
  return { total, items };
}
