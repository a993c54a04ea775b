// Company templates: save one company's setup as a template, see at a glance how every company
// differs from it, and bring one in line (what would change is shown first; nothing changes until confirmed).
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, ok } from '../api/client';
import type { paths } from '../api/schema';
import { type Column, DataTable } from '../components/DataTable';
import { ConfirmDialog, InlineForm } from '../components/Dialogs';
import { Field, SelectField } from '../components/Fields';
import { useNotices } from '../components/Notices';
import { type ConsoleKey, useT } from '../i18n/I18n';
import { useSession } from '../session';

type Drift = paths['/templates/{templateId}/drift']['get']['responses'][200]['content']['application/json'][number];
type Difference = Drift['differences'][number];
type Applied = paths['/templates/{templateId}/apply']['post']['responses'][200]['content']['application/json'];

const KNOWN_KEYS = [
  'passwordMinLength',
  'requireTwoFactor',
  'scimDeleteMode',
  'adoptExistingMembers',
  'unmappedGroupsAsCustom',
  'technicianSelfAccess',
  'allowAdministrators',
  'allowTechnicians',
  'deprovisionLimit',
];

/** One difference in words: what, what the company has, what the template says. */
export function useDifferenceText() {
  const t = useT();
  const value = (v: unknown) =>
    v === true
      ? t('tpl.value.on')
      : v === false
        ? t('tpl.value.off')
        : v === null || v === undefined
          ? t('tpl.value.none')
          : v === 'not pushed'
            ? t('tpl.value.notPushed')
            : v === 'present'
              ? t('tpl.value.present')
              : String(v);
  return (d: Difference) =>
    t('tpl.difference', {
      area: t(`tpl.area.${d.area}` as ConsoleKey),
      what: KNOWN_KEYS.includes(d.key) ? t(`tpl.key.${d.key}` as ConsoleKey) : d.key,
      actual: d.actual === null && (d.area === 'groups' || d.area === 'vaults') ? t('tpl.value.missing') : value(d.actual),
      expected: value(d.expected),
    });
}

function ApplyDialog({ templateId, row, onClose }: { templateId: string; row: Drift; onClose(): void }) {
  const t = useT();
  const text = useDifferenceText();
  const client = useQueryClient();
  const { notify } = useNotices();
  const preview = useQuery({
    queryKey: ['template-preview', templateId, row.companyId],
    queryFn: () => ok(api.POST('/templates/{templateId}/apply', { params: { path: { templateId } }, body: { companyId: row.companyId, dryRun: true } })),
  });
  const outcome = (c: Applied['changes'][number]) =>
    c.result === 'applied' ? t('tpl.willChange') : c.result === 'waiting' ? t('tpl.waiting') : t('tpl.refused');
  return (
    <ConfirmDialog
      isOpen
      onOpenChange={(open) => !open && onClose()}
      title={t('tpl.applyTitle', { name: row.name })}
      confirmLabel={t('tpl.apply')}
      onConfirm={async () => {
        const r = await ok(api.POST('/templates/{templateId}/apply', { params: { path: { templateId } }, body: { companyId: row.companyId } }));
        await client.invalidateQueries({ queryKey: ['template-drift', templateId] });
        notify(t('tpl.applied', { name: row.name, count: r.changes.filter((c) => c.result === 'applied').length }));
      }}
    >
      <p>{t('tpl.applyExplain')}</p>
      {preview.isPending && <p className="loading">…</p>}
      {preview.data && (
        <ul className="plain-list">
          {preview.data.changes.map((c) => (
            <li key={`${c.area}:${c.key}`}>
              <strong>{outcome(c)}</strong> {text(c)}
            </li>
          ))}
        </ul>
      )}
    </ConfirmDialog>
  );
}

export function Templates() {
  const t = useT();
  const text = useDifferenceText();
  const client = useQueryClient();
  const { isManager } = useSession();
  const { notify } = useNotices();
  const templates = useQuery({ queryKey: ['templates'], queryFn: () => ok(api.GET('/templates')) });
  const companies = useQuery({ queryKey: ['companies', 'all'], queryFn: () => ok(api.GET('/companies', { params: { query: { limit: 1000 } } })) });
  const [chosen, setChosen] = useState<string>();
  const [applying, setApplying] = useState<Drift>();
  const [removing, setRemoving] = useState(false);
  const list = templates.data ?? [];
  const current = list.find((x) => x.id === chosen) ?? list[0];
  const drift = useQuery({
    queryKey: ['template-drift', current?.id],
    enabled: Boolean(current),
    queryFn: () => ok(api.GET('/templates/{templateId}/drift', { params: { path: { templateId: current!.id } } })),
  });
  const rows = drift.data ?? [];
  const drifted = rows.filter((r) => r.differences.length).length;
  const columns: Array<Column<Drift>> = [
    { key: 'company', header: t('tpl.col.company'), rowHeader: true, cell: (r) => r.name },
    {
      key: 'differences',
      header: t('tpl.col.differences'),
      cell: (r) =>
        r.differences.length ? (
          <ul className="plain-list">
            {r.differences.map((d) => (
              <li key={`${d.area}:${d.key}`}>{text(d)}</li>
            ))}
          </ul>
        ) : (
          <span className="good">{t('tpl.inLine')}</span>
        ),
    },
    {
      key: 'actions',
      header: t('tpl.col.actions'),
      className: 'actions',
      cell: (r) =>
        r.differences.length ? (
          <button type="button" className="button secondary" aria-label={t('tpl.applyNamed', { name: r.name })} onClick={() => setApplying(r)}>
            {t('tpl.applyOpen')}
          </button>
        ) : null,
    },
  ];
  return (
    <>
      <h1>{t('tpl.title')}</h1>
      <p>{t('tpl.explain')}</p>
      {isManager && (
        <InlineForm
          label={t('tpl.create')}
          submitLabel={t('tpl.create')}
          validate={(v) => ({ name: v.name ? undefined : t('field.required'), company: v.company ? undefined : t('field.required') })}
          onSubmit={async (v) => {
            const r = await ok(api.POST('/templates', { body: { fromCompanyId: v.company!, name: v.name! } }));
            await client.invalidateQueries({ queryKey: ['templates'] });
            setChosen(r.id);
            notify(t('tpl.created', { name: r.name }));
          }}
        >
          <SelectField
            name="company"
            label={t('tpl.fromCompany')}
            defaultValue=""
            options={[{ value: '', label: t('tpl.chooseCompany') }, ...(companies.data?.items ?? []).map((c) => ({ value: c.id, label: c.name }))]}
          />
          <Field name="name" label={t('tpl.name')} isRequired autoComplete="off" />
        </InlineForm>
      )}
      {(templates.isError || drift.isError) && (
        <p role="alert" className="notice bad">
          {t('error.load')}
        </p>
      )}
      {list.length === 0 ? (
        <p className="hint">{t('tpl.none')}</p>
      ) : (
        <>
          <div className="toolbar">
            <SelectField
              name="template"
              label={t('tpl.template')}
              value={current?.id}
              onChange={setChosen}
              options={list.map((x) => ({ value: x.id, label: x.name }))}
            />
            {isManager && current && (
              <button type="button" className="button danger" onClick={() => setRemoving(true)}>
                {t('tpl.remove')}
              </button>
            )}
          </div>
          <DataTable
            caption={t('tpl.caption', { name: current?.name ?? '', count: rows.length, drifted })}
            columns={columns}
            rows={rows}
            rowKey={(r) => r.companyId}
            empty={t('tpl.noCompanies')}
          />
        </>
      )}
      {applying && current && <ApplyDialog templateId={current.id} row={applying} onClose={() => setApplying(undefined)} />}
      {removing && current && (
        <ConfirmDialog
          isOpen
          onOpenChange={(open) => !open && setRemoving(false)}
          title={t('tpl.removeTitle', { name: current.name })}
          confirmLabel={t('tpl.remove')}
          onConfirm={async () => {
            await ok(api.DELETE('/templates/{templateId}', { params: { path: { templateId: current.id } } }));
            setChosen(undefined);
            await client.invalidateQueries({ queryKey: ['templates'] });
            notify(t('tpl.removed', { name: current.name }));
          }}
        >
          <p>{t('tpl.removeExplain')}</p>
        </ConfirmDialog>
      )}
    </>
  );
}
