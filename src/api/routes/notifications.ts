// MSP notifications: email contacts, webhooks (secret shown once) and their deliveries.
import { z } from 'zod';
import { addContact, listContactsOf, removeContact } from '../../domain/notifications';
import { addWebhook, listWebhooksOf, removeWebhook, webhookDeliveries } from '../../domain/webhooks';
import { resolveTarget } from '../../http/webhookTarget';
import { inAccount, noContent, routesOf } from '../route';

const notify = routesOf('msp', 'Notifications');

export const notificationRoutes = [
  notify.get('/notifications/contacts', 'notifications.read', "Email contacts for the MSP's events (none: its Owners get them)", inAccount(listContactsOf)),
  notify.post(
    '/notifications/contacts',
    'notifications.manage',
    'Add an email contact (or change the language of one already there)',
    { status: 201, body: z.object({ email: z.string().trim().min(3).max(320), language: z.enum(['en', 'de']).nullable().optional() }) },
    (ctx, { accountId, body }) => addContact(ctx, { mspId: accountId, email: body.email, language: body.language ?? null }),
  ),
  notify.delete('/notifications/contacts/:contactId', 'notifications.manage', 'Remove an email contact', { status: 204 }, (ctx, { accountId, params }) =>
    noContent(removeContact(ctx, { mspId: accountId, contact: params.contactId! })),
  ),
  notify.get('/webhooks', 'notifications.read', "The MSP's webhooks (never their secrets)", inAccount(listWebhooksOf)),
  notify.post(
    '/webhooks',
    'notifications.manage',
    'Add a webhook: the URL must resolve to a public address; the signing secret is in this answer only',
    { status: 201, body: z.object({ url: z.string().trim().min(1).max(2000), events: z.array(z.string().max(64)).max(20).optional() }) },
    (ctx, { accountId, body, rt }) =>
      addWebhook(
        ctx,
        { mspId: accountId, url: body.url, events: body.events },
        { secret: rt.secret, vet: async (url) => (await resolveTarget(url, rt.config.webhooks.allowPrivate)).url },
      ),
  ),
  notify.delete(
    '/webhooks/:webhookId',
    'notifications.manage',
    'Remove a webhook (its pending deliveries stop)',
    { status: 204 },
    (ctx, { accountId, params }) => noContent(removeWebhook(ctx, { mspId: accountId, webhookId: params.webhookId! })),
  ),
  notify.get(
    '/webhook-deliveries',
    'notifications.read',
    'Webhook deliveries, newest first: status, attempts, last answer, next attempt',
    { query: z.object({ webhookId: z.string().max(64).optional(), limit: z.coerce.number().int().min(1).max(1000).default(100) }) },
    (ctx, { accountId, query }) => webhookDeliveries(ctx, { mspId: accountId, webhookId: query.webhookId, limit: query.limit }),
  ),
];
