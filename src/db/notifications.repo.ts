// An MSP's notification contacts and webhooks (the sealed secret never leaves this layer unasked).
import type { Tx } from './knex';
import { jsonColumn, optText, rowCodec, text, time } from './codec';

export interface MspContact {
  id: string;
  mspId: string;
  email: string;
  language: string | null;
  createdAt: string;
}

export interface Webhook {
  id: string;
  mspId: string;
  url: string;
  /** Event types the hook receives; null: every event. */
  events: string[] | null;
  secretSealed: string;
  createdBy: string | null;
  createdAt: string;
}

const CONTACT = rowCodec<MspContact>({ id: text, mspId: text, email: text, language: optText, createdAt: time });
const WEBHOOK = rowCodec<Webhook>({
  id: text,
  mspId: text,
  url: text,
  events: jsonColumn<string[] | null>(null),
  secretSealed: text,
  createdBy: optText,
  createdAt: time,
});

/** Adds a contact, or changes the language of one with the same address; returns the stored row. */
export async function upsertContact(tx: Tx, c: MspContact): Promise<MspContact> {
  await tx('msp_contacts').insert(CONTACT.write(c)).onConflict(['msp_id', 'email']).merge({ language: c.language });
  return CONTACT.read(await tx('msp_contacts').where({ msp_id: c.mspId, email: c.email }).first());
}

export async function listContacts(tx: Tx, mspId: string): Promise<MspContact[]> {
  return (
    await tx('msp_contacts')
      .where({ msp_id: mspId })
      .orderBy([{ column: 'email' }])
  ).map(CONTACT.read);
}

/** Removes a contact named by id or email address; true when one was removed. */
export async function deleteContact(tx: Tx, mspId: string, idOrEmail: string): Promise<boolean> {
  const n = await tx('msp_contacts')
    .where({ msp_id: mspId })
    .andWhere((w) => w.where({ id: idOrEmail }).orWhere({ email: idOrEmail.toLowerCase() }))
    .del();
  return n > 0;
}

export async function insertWebhook(tx: Tx, w: Webhook): Promise<void> {
  await tx('webhooks').insert(WEBHOOK.write(w));
}

export async function listWebhooks(tx: Tx, mspId: string): Promise<Webhook[]> {
  return (
    await tx('webhooks')
      .where({ msp_id: mspId })
      .orderBy([{ column: 'created_at' }, { column: 'id' }])
  ).map(WEBHOOK.read);
}

export async function getWebhook(tx: Tx, mspId: string, id: string): Promise<Webhook | undefined> {
  return WEBHOOK.maybe(await tx('webhooks').where({ msp_id: mspId, id }).first());
}

export async function deleteWebhook(tx: Tx, mspId: string, id: string): Promise<boolean> {
  return (await tx('webhooks').where({ msp_id: mspId, id }).del()) > 0;
}
