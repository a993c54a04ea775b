// Policies: team policies and the email language (administrators); the recovery plan and what
// the MSP's technicians may do (the company's Owners, or whoever sets up a company with no
// Owner yet); and, for a company's Owner, a link code to give the MSP that should manage it.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, ok } from '../../api/client';
import type { paths } from '../../api/schema';
import { InlineForm } from '../../components/Dialogs';
import { Check, Field, SelectField } from '../../components/Fields';
import { useNotices } from '../../components/Notices';
import { Secret } from '../../components/Secret';
import { useFormat, useT } from '../../i18n/I18n';
import { usePeople } from './Members';

type Account = paths['/accounts/{accountId}']['get']['responses'][200]['content']['application/json'];

function LinkCode({ accountId }: { accountId: string }) {
  const t = useT();
  const f = useFormat();
  const code = useMutation({ mutationFn: () => ok(api.POST('/accounts/{accountId}/link-codes', { params: { path: { accountId } } })) });
  return (
    <section aria-labelledby="link-code-title">
      <h3 id="link-code-title">{t('linkCode.title')}</h3>
      <p className="hint">{t('linkCode.explain')}</p>
      {code.data ? (
        <>
          <Secret value={code.data.code} warning={t('linkCode.shownOnce')} testId="link-code" />
          <p className="hint">{t('linkCode.expires', { date: f.date(code.data.expiresAt) })}</p>
        </>
      ) : (
        <button type="button" className="button secondary" disabled={code.isPending} onClick={() => code.mutate()}>
          {t('linkCode.create')}
        </button>
      )}
    </section>
  );
}

export function Policies({ account, launched }: { account: Account; launched: boolean }) {
  const t = useT();
  const client = useQueryClient();
  const { notify } = useNotices();
  const may = usePeople(account.id).data?.may;
  const s = account.settings;
  const saved = async (body: paths['/accounts/{accountId}/settings']['patch']['requestBody']['content']['application/json']) => {
    await ok(api.PATCH('/accounts/{accountId}/settings', { params: { path: { accountId: account.id } }, body }));
    await Promise.all([client.invalidateQueries({ queryKey: ['account', account.id] }), client.invalidateQueries({ queryKey: ['setup', account.id] })]);
    notify(t('policies.saved'));
  };
  const governing = Boolean(may?.governSettings);
  const governingChecks = (disabled: boolean) => (
    <>
      <Check
        name="allowAdministrators"
        label={t('policies.allowAdmins')}
        defaultChecked={s.recoveryPlan?.allowAdministrators !== false}
        isDisabled={disabled}
      />
      <Check name="allowTechnicians" label={t('policies.allowTechs')} defaultChecked={s.recoveryPlan?.allowTechnicians !== false} isDisabled={disabled} />
      <Check name="technicianSelfAccess" label={t('policies.selfAccess')} defaultChecked={s.technicianSelfAccess !== false} isDisabled={disabled} />
    </>
  );
  return (
    <section aria-labelledby="policies-title">
      <h2 id="policies-title">{t('tab.policies')}</h2>
      <h3>{t('policies.team')}</h3>
      <InlineForm
        label={t('policies.team')}
        submitLabel={t('policies.save')}
        validate={(v) => {
          const n = Number(v.passwordMinLength);
          return Number.isInteger(n) && n >= 8 && n <= 128 ? {} : { passwordMinLength: t('policies.minLengthRange') };
        }}
        onSubmit={(v) =>
          saved({
            policies: { passwordMinLength: Number(v.passwordMinLength), requireTwoFactor: v.requireTwoFactor === 'on' },
            defaultLanguage: v.defaultLanguage === 'de' ? 'de' : 'en',
          })
        }
        onDone={() => undefined}
      >
        <Field name="passwordMinLength" type="number" label={t('policies.minLength')} defaultValue={String(s.policies?.passwordMinLength ?? 12)} />
        <Check name="requireTwoFactor" label={t('policies.twoFactor')} defaultChecked={Boolean(s.policies?.requireTwoFactor)} />
        <SelectField
          name="defaultLanguage"
          label={t('policies.defaultLanguage')}
          defaultValue={account.defaultLanguage}
          options={[
            { value: 'en', label: 'English' },
            { value: 'de', label: 'Deutsch' },
          ]}
        />
      </InlineForm>
      <h3>{t('policies.recoveryPlan')}</h3>
      {!governing && <p className="hint">{t('policies.ownersOnly')}</p>}
      {governing ? (
        <InlineForm
          label={t('policies.recoveryPlan')}
          submitLabel={t('policies.save')}
          onSubmit={(v) =>
            saved({
              recoveryPlan: { allowAdministrators: v.allowAdministrators === 'on', allowTechnicians: v.allowTechnicians === 'on' },
              technicianSelfAccess: v.technicianSelfAccess === 'on',
            })
          }
          onDone={() => undefined}
        >
          {governingChecks(false)}
        </InlineForm>
      ) : (
        <div className="toolbar">{governingChecks(true)}</div>
      )}
      {account.kind === 'company' && !launched && may?.createLinkCode && <LinkCode accountId={account.id} />}
    </section>
  );
}
