// Events raised for an MSP, one row each; a dedupe key makes raising idempotent.
import { type Tx } from './knex';
import { jsonColumn, optText, rowCodec, text, time } from './codec';

export interface MspEvent {
  id: string;
  mspId: string;
  /** The company the event is about (null for fleet-wide events). */
  accountId: string | null;
  type: string;
  dedupeKey: string;
  data: Record<string, unknown>;
  createdAt: string;
}

const EVENT = rowCodec<MspEvent>({
  id: text,
  mspId: text,
  accountId: optText,
  type: text,
  dedupeKey: text,
  data: jsonColumn<Record<string, unknown>>({}),
  createdAt: time,
});

/** Inserts the event unless one with its dedupe key exists; true when this call inserted it. */
export async function insertMspEvent(tx: Tx, e: MspEvent): Promise<boolean> {
  const rows = (await tx('msp_events').insert(EVENT.write(e)).onConflict('dedupe_key').ignore().returning('id')) as unknown[];
  return rows.length > 0;
}

export async function getMspEvent(tx: Tx, mspId: string, id: string): Promise<MspEvent | undefined> {
  return EVENT.maybe(await tx('msp_events').where({ msp_id: mspId, id }).first());
}

/** The MSP's events, newest first (optionally of some types, since a time). */
export async function listMspEvents(tx: Tx, mspId: string, opts: { types?: string[]; since?: string; limit?: number } = {}): Promise<MspEvent[]> {
  const q = tx('msp_events').where({ msp_id: mspId });
  if (opts.types?.length) q.whereIn('type', opts.types);
  if (opts.since) q.andWhere('created_at', '>=', opts.since);
  const rows = (await q
    .orderBy([
      { column: 'created_at', order: 'desc' },
      { column: 'id', order: 'desc' },
    ])
    .limit(opts.limit ?? 200)) as Array<Record<string, unknown>>;
  return rows.map(EVENT.read);
}
