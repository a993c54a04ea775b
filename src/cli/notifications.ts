// `mspbridge msp notify` (contacts) and `mspbridge webhook add|list|remove|deliveries`.
import type { Command } from 'commander';
import { type ContactView, addContact, listContactsOf, removeContact } from '../domain/notifications';
import { addWebhook, listWebhooksOf, removeWebhook, webhookDeliveries } from '../domain/webhooks';
import { resolveTarget } from '../http/webhookTarget';
import { resolveSecretKey } from '../secretKey';
import { MSP, operatorCommand } from './command';
import { CliError, table } from './output';

interface NotifyOpts {
  msp: string;
  email?: string;
  language?: string;
  list?: boolean;
  remove?: boolean;
}

type NotifyResult = { list: ContactView[] } | { added: ContactView } | { removed: string };

export function registerNotifications(program: Command, msp: Command): void {
  operatorCommand(msp, 'notify', {
    description: "email contacts for the MSP's events (default: its Owners): add one, --list them, or --remove one",
    required: [MSP],
    options: [
      ['--email <email>', 'the contact to add (or, with --remove, to remove)'],
      ['--language <lang>', 'en or de (default: the MSP account language)'],
      ['--list', 'list the contacts instead'],
      ['--remove', 'remove the contact named by --email'],
    ],
    check: (o: NotifyOpts) => {
      if (o.list && (o.remove || o.email)) throw new CliError('--list takes no --email or --remove');
      if (!o.list && !o.email) throw new CliError('give --email (or --list)');
      if (o.language && !['en', 'de'].includes(o.language)) throw new CliError('--language is en or de');
    },
    run: async (ctx, o: NotifyOpts): Promise<NotifyResult> => {
      if (o.list) return { list: await listContactsOf(ctx, o.msp) };
      if (o.remove) {
        await removeContact(ctx, { mspId: o.msp, contact: o.email! });
        return { removed: o.email!.trim().toLowerCase() };
      }
      return { added: await addContact(ctx, { mspId: o.msp, email: o.email!, language: o.language }) };
    },
    json: (r) => ('list' in r ? r.list : 'added' in r ? r.added : r),
    text: (r) => {
      if ('list' in r)
        return r.list.length
          ? table(
              ['ID', 'EMAIL', 'LANGUAGE'],
              r.list.map((c) => [c.id, c.email, c.language ?? '(account default)']),
            )
          : "No contacts: events go to the MSP's Owners.";
      if ('added' in r) return `${r.added.email} gets the MSP's event emails${r.added.language ? ` (${r.added.language})` : ''}.`;
      return `${r.removed} no longer gets event emails.`;
    },
  });

  const webhook = program.command('webhook').description("signed HTTP callbacks for the MSP's events");
  operatorCommand(webhook, 'add', {
    description: 'add a webhook; prints its signing secret once',
    required: [MSP, ['--url <url>', 'https:// URL the events are POSTed to']],
    options: [['--events <list>', 'comma-separated event types (default: all)']],
    run: (ctx, o: { msp: string; url: string; events?: string }, { config }) =>
      addWebhook(
        ctx,
        { mspId: o.msp, url: o.url, events: o.events?.split(',') },
        { secret: resolveSecretKey(config), vet: async (url) => (await resolveTarget(url, config.webhooks.allowPrivate)).url },
      ),
    text: (r) => `Webhook ${r.id} added.\nSigning secret (shown once): ${r.secret}`,
  });
  operatorCommand(webhook, 'list', {
    required: [MSP],
    run: (ctx, o: { msp: string }) => listWebhooksOf(ctx, o.msp),
    text: (hooks) =>
      hooks.length
        ? table(
            ['ID', 'URL', 'EVENTS'],
            hooks.map((h) => [h.id, h.url, h.events?.join(',') ?? 'all']),
          )
        : 'No webhooks.',
  });
  operatorCommand(webhook, 'remove', {
    required: [MSP],
    options: [
      ['--id <id>', 'webhook id'],
      ['--webhook <id>', 'webhook id (same as --id)'],
    ],
    check: (o: { id?: string; webhook?: string }) => {
      if (!o.id && !o.webhook) throw new CliError('give --id (or --webhook)');
    },
    run: async (ctx, o: { msp: string; id?: string; webhook?: string }) => {
      const id = (o.id ?? o.webhook)!;
      await removeWebhook(ctx, { mspId: o.msp, webhookId: id });
      return { removed: id };
    },
    text: (r) => `Webhook ${r.removed} removed.`,
  });
  operatorCommand(webhook, 'deliveries', {
    description: 'deliveries, newest first: status, attempts, last answer, next attempt',
    required: [MSP],
    options: [
      ['--webhook <id>', 'only this webhook'],
      ['--limit <n>', 'at most this many (default 100)', (v: string) => Number(v)],
    ],
    check: (o: { limit?: number }) => {
      if (o.limit !== undefined && (!Number.isInteger(o.limit) || o.limit < 1 || o.limit > 1000))
        throw new CliError('--limit is a whole number from 1 to 1000');
    },
    run: (ctx, o: { msp: string; webhook?: string; limit?: number }) => webhookDeliveries(ctx, { mspId: o.msp, webhookId: o.webhook, limit: o.limit }),
    text: (list) =>
      list.length
        ? table(
            ['ID', 'EVENT', 'TYPE', 'STATUS', 'ATTEMPTS', 'LAST', 'NEXT'],
            list.map((d) => [d.id, d.eventId, d.eventType, d.status, d.attempts, d.lastStatusCode ?? d.lastError ?? '', d.nextAttemptAt ?? '']),
          )
        : 'No deliveries.',
  });
}
