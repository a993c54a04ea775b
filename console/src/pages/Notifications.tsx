// Notifications: who is emailed about the MSP's events (contacts, else its Owners), its signed
// webhooks (the secret shown once, when added) and what was delivered to them.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, ok } from '../api/client';
import type { paths } from '../api/schema';
import { type Column, DataTable } from '../components/DataTable';
import { ConfirmDialog, InlineForm } from '../components/Dialogs';
import { Field, SelectField } from '../components/Fields';
import { useNotices } from '../components/Notices';
import { Secret } from '../components/Secret';
import { type ConsoleKey, useFormat, useT } from '../i18n/I18n';

type Contact = paths['/notifications/contacts']['get']['responses'][200]['content']['application/json'][number];
type Hook = paths['/webhooks']['get']['responses'][200]['content']['application/json'][number];
type Delivery = paths['/webhook-deliveries']['get']['responses'][200]['content']['application/json'][number];

export function Notifications() {
  const t = useT();
  const f = useFormat();
  const client = useQueryClient();
  const { notify } = useNotices();
  const contacts = useQuery({ queryKey: ['contacts'], queryFn: () => ok(api.GET('/notifications/contacts')) });
  const hooks = useQuery({ queryKey: ['webhooks'], queryFn: () => ok(api.GET('/webhooks')) });
  const deliveries = useQuery({ queryKey: ['deliveries'], queryFn: () => ok(api.GET('/webhook-deliveries', { params: { query: { limit: 100 } } })) });
  const [secret, setSecret] = useState<string>();
  const [removingContact, setRemovingContact] = useState<Contact>();
  const [removingHook, setRemovingHook] = useState<Hook>();
  const urlOf = new Map((hooks.data ?? []).map((h) => [h.id, h.url]));

  const contactColumns: Array<Column<Contact>> = [
    { key: 'email', header: t('notify.email'), rowHeader: true, cell: (c) => c.email },
    { key: 'language', header: t('notify.language'), cell: (c) => t(c.language ? (`notify.language.${c.language}` as ConsoleKey) : 'notify.language.default') },
    {
      key: 'actions',
      header: t('notify.col.actions'),
      className: 'actions',
      cell: (c) => (
        <button type="button" className="button danger" aria-label={t('notify.removeContactNamed', { email: c.email })} onClick={() => setRemovingContact(c)}>
          {t('notify.removeContact')}
        </button>
      ),
    },
  ];
  const hookColumns: Array<Column<Hook>> = [
    { key: 'url', header: t('notify.col.url'), rowHeader: true, cell: (h) => <code>{h.url}</code> },
    { key: 'events', header: t('notify.col.events'), cell: (h) => h.events?.join(', ') ?? t('notify.allEvents') },
    {
      key: 'actions',
      header: t('notify.col.actions'),
      className: 'actions',
      cell: (h) => (
        <button type="button" className="button danger" aria-label={t('notify.removeWebhookNamed', { name: h.url })} onClick={() => setRemovingHook(h)}>
          {t('notify.removeWebhook')}
        </button>
      ),
    },
  ];
  const deliveryColumns: Array<Column<Delivery>> = [
    { key: 'event', header: t('notify.col.event'), rowHeader: true, cell: (d) => <code>{d.eventType}</code> },
    { key: 'url', header: t('notify.col.url'), cell: (d) => urlOf.get(d.webhookId) ?? d.webhookId },
    {
      key: 'status',
      header: t('notify.col.status'),
      cell: (d) => <span className={`status ${d.status}`}>{t(`notify.status.${d.status}` as ConsoleKey)}</span>,
    },
    { key: 'attempts', header: t('notify.col.attempts'), cell: (d) => f.number(d.attempts) },
    { key: 'last', header: t('notify.col.last'), cell: (d) => (d.lastStatusCode ? `HTTP ${d.lastStatusCode}` : '') + (d.lastError ? ` ${d.lastError}` : '') },
    { key: 'next', header: t('notify.col.next'), cell: (d) => f.date(d.nextAttemptAt) },
  ];

  return (
    <>
      <h1>{t('notify.title')}</h1>
      <p>{t('notify.explain')}</p>
      {(contacts.isError || hooks.isError || deliveries.isError) && (
        <p role="alert" className="notice bad">
          {t('error.load')}
        </p>
      )}

      <h2>{t('notify.contacts')}</h2>
      <p>{t('notify.contactsExplain')}</p>
      <InlineForm
        label={t('notify.addContact')}
        submitLabel={t('notify.addContact')}
        validate={(v) => (v.email ? {} : { email: t('field.required') })}
        onSubmit={async (v) => {
          const language = v.language === 'en' || v.language === 'de' ? v.language : null;
          await ok(api.POST('/notifications/contacts', { body: { email: v.email!, language } }));
          await client.invalidateQueries({ queryKey: ['contacts'] });
          notify(t('notify.contactAdded', { email: v.email }));
        }}
      >
        <Field name="email" type="email" label={t('notify.email')} isRequired autoComplete="off" />
        <SelectField
          name="language"
          label={t('notify.language')}
          defaultValue=""
          options={[
            { value: '', label: t('notify.language.default') },
            { value: 'en', label: t('notify.language.en') },
            { value: 'de', label: t('notify.language.de') },
          ]}
        />
      </InlineForm>
      <DataTable
        caption={t('notify.contactCaption', { count: contacts.data?.length ?? 0 })}
        columns={contactColumns}
        rows={contacts.data ?? []}
        rowKey={(c) => c.id}
        empty={t('notify.noContacts')}
      />

      <h2>{t('notify.webhooks')}</h2>
      <p>{t('notify.webhooksExplain')}</p>
      <InlineForm
        label={t('notify.addWebhook')}
        submitLabel={t('notify.addWebhook')}
        validate={(v) => (v.url ? {} : { url: t('field.required') })}
        onSubmit={async (v) => {
          const events = (v.events ?? '')
            .split(',')
            .map((e) => e.trim())
            .filter(Boolean);
          const r = await ok(api.POST('/webhooks', { body: { url: v.url!, ...(events.length ? { events } : {}) } }));
          setSecret(r.secret);
          await client.invalidateQueries({ queryKey: ['webhooks'] });
        }}
      >
        <Field name="url" type="url" label={t('notify.url')} isRequired autoComplete="off" inputMode="url" />
        <Field name="events" label={t('notify.events')} autoComplete="off" />
      </InlineForm>
      {secret && <Secret value={secret} warning={t('notify.secretOnce')} testId="webhook-secret" />}
      <DataTable
        caption={t('notify.webhookCaption', { count: hooks.data?.length ?? 0 })}
        columns={hookColumns}
        rows={hooks.data ?? []}
        rowKey={(h) => h.id}
        empty={t('notify.noWebhooks')}
      />

      <h2>{t('notify.deliveries')}</h2>
      <DataTable
        caption={t('notify.deliveryCaption', { count: deliveries.data?.length ?? 0 })}
        columns={deliveryColumns}
        rows={deliveries.data ?? []}
        rowKey={(d) => d.id}
        empty={t('notify.noDeliveries')}
      />

      {removingContact && (
        <ConfirmDialog
          isOpen
          onOpenChange={(open) => !open && setRemovingContact(undefined)}
          title={t('notify.removeContactTitle', { email: removingContact.email })}
          confirmLabel={t('notify.removeContact')}
          onConfirm={async () => {
            await ok(api.DELETE('/notifications/contacts/{contactId}', { params: { path: { contactId: removingContact.id } } }));
            await client.invalidateQueries({ queryKey: ['contacts'] });
            notify(t('notify.contactRemoved', { email: removingContact.email }));
          }}
        >
          <p>{t('notify.removeContactExplain', { email: removingContact.email })}</p>
        </ConfirmDialog>
      )}
      {removingHook && (
        <ConfirmDialog
          isOpen
          onOpenChange={(open) => !open && setRemovingHook(undefined)}
          title={t('notify.removeWebhookTitle', { name: removingHook.url })}
          confirmLabel={t('notify.removeWebhook')}
          onConfirm={async () => {
            await ok(api.DELETE('/webhooks/{webhookId}', { params: { path: { webhookId: removingHook.id } } }));
            await Promise.all([client.invalidateQueries({ queryKey: ['webhooks'] }), client.invalidateQueries({ queryKey: ['deliveries'] })]);
            setSecret(undefined);
            notify(t('notify.webhookRemoved', { name: removingHook.url }));
          }}
        >
          <p>{t('notify.removeWebhookExplain')}</p>
        </ConfirmDialog>
      )}
    </>
  );
}
