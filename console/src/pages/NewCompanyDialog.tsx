// "New company": add a new company (created in the MSP's data region), or link an existing
// account with the link code its Owner shared — never by typing an account id, and the MSP
// learns nothing about the account until its Owner approves.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Tab, TabList, TabPanel, Tabs } from 'react-aria-components';
import { api, ok } from '../api/client';
import { DialogForm, DialogFrame, type FieldErrors } from '../components/Dialogs';
import { Field } from '../components/Fields';
import { useNotices } from '../components/Notices';
import { type ConsoleKey, useT } from '../i18n/I18n';

const WHOLE = /^\d+$/;

function LinkProgress({ requestId }: { requestId: string }) {
  const t = useT();
  const { data } = useQuery({
    queryKey: ['link', requestId],
    queryFn: () => ok(api.GET('/links/{requestId}', { params: { path: { requestId } } })),
    // Region checks and the approval email run in the workers: follow them while they work.
    refetchInterval: (q) => (q.state.data?.status === 'pending' ? 1000 : false),
  });
  const status = data?.status ?? 'pending';
  return (
    <p role="status" className="notice ok">
      {t(`link.${status}` as ConsoleKey, { reason: data?.reason ? t(`reason.${data.reason}` as ConsoleKey) : '' })}
    </p>
  );
}

export function NewCompanyDialog({ isOpen, onOpenChange }: { isOpen: boolean; onOpenChange(open: boolean): void }) {
  const t = useT();
  const client = useQueryClient();
  const { notify } = useNotices();
  const [requestId, setRequestId] = useState<string>();
  const close = () => {
    setRequestId(undefined);
    onOpenChange(false);
  };
  const required = (values: Record<string, string>, names: string[]): FieldErrors =>
    Object.fromEntries(names.filter((n) => !values[n]).map((n) => [n, t('field.required')]));

  return (
    <DialogFrame isOpen={isOpen} onOpenChange={(open) => (open ? onOpenChange(true) : close())} title={t('newCompany.title')}>
      <Tabs className="tabs">
        <TabList aria-label={t('newCompany.title')} className="tab-list">
          <Tab id="add" className="tab">
            {t('newCompany.addTitle')}
          </Tab>
          <Tab id="link" className="tab">
            {t('newCompany.linkTitle')}
          </Tab>
        </TabList>
        <TabPanel id="add" className="tab-panel">
          <DialogForm
            submitLabel={t('newCompany.add')}
            validate={(v) => ({ ...required(v, ['name', 'country']), ...(v.seats && !WHOLE.test(v.seats) ? { seats: t('field.wholeNumber') } : {}) })}
            onSubmit={async (v) => {
              await ok(
                api.POST('/companies', {
                  body: {
                    name: v.name!,
                    country: v.country!,
                    website: v.website || undefined,
                    address: v.address || undefined,
                    seats: v.seats ? Number(v.seats) : undefined,
                  },
                }),
              );
              await client.invalidateQueries({ queryKey: ['companies'] });
              notify(t('newCompany.added', { name: v.name }));
            }}
            onDone={close}
          >
            <Field name="name" label={t('newCompany.name')} isRequired autoComplete="organization" />
            <Field name="website" label={t('newCompany.website')} type="url" inputMode="url" />
            <Field name="country" label={t('newCompany.country')} isRequired autoComplete="country-name" />
            <Field name="address" label={t('newCompany.address')} multiline autoComplete="street-address" />
            <Field name="seats" label={t('newCompany.seats')} type="number" description={t('newCompany.seatsHint')} />
            <p className="hint">{t('newCompany.regionNote')}</p>
          </DialogForm>
        </TabPanel>
        <TabPanel id="link" className="tab-panel">
          <p className="hint">{t('newCompany.linkNote')}</p>
          {requestId ? (
            <>
              <LinkProgress requestId={requestId} />
              <div className="dialog-actions">
                <button type="button" className="button" onClick={close}>
                  {t('close')}
                </button>
              </div>
            </>
          ) : (
            <DialogForm
              submitLabel={t('newCompany.link')}
              validate={(v) => required(v, ['code'])}
              onSubmit={async (v) => {
                const r = await ok(api.POST('/links/by-code', { body: { code: v.code! } }));
                setRequestId(r.requestId);
              }}
              onDone={() => undefined}
            >
              <Field name="code" label={t('newCompany.code')} description={t('newCompany.codeHint')} isRequired autoComplete="off" />
            </DialogForm>
          )}
        </TabPanel>
      </Tabs>
    </DialogFrame>
  );
}
