// Seat caps in the console: the banner a company at its cap shows (in its own console and in the
// MSP's view of it), and the MSP's dialog that sets a company's seat cap (PATCH /companies/{id}).
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ok } from '../api/client';
import { DialogForm, DialogFrame } from '../components/Dialogs';
import { Field } from '../components/Fields';
import { useNotices } from '../components/Notices';
import { useT } from '../i18n/I18n';

const WHOLE = /^\d+$/;

/** Shown while a capped company has every seat filled (or more, after its cap was lowered). */
export function SeatCapBanner({ name, filled, total, forMsp }: { name: string; filled: number; total: number; forMsp?: boolean }) {
  const t = useT();
  return (
    <div className="notice warning seat-cap-banner" role="region" aria-label={t('seats.region')} data-testid="seat-cap-banner">
      <p>{t(forMsp ? 'seats.bannerMsp' : 'seats.banner', { name, filled, total })}</p>
    </div>
  );
}

/** The MSP's view of one company's seats: its banner at the cap, and the cap to change. */
export function SeatsDialog({ companyId, name, onClose }: { companyId: string; name: string; onClose(): void }) {
  const t = useT();
  const client = useQueryClient();
  const { notify } = useNotices();
  const detail = useQuery({
    queryKey: ['company', companyId],
    queryFn: () => ok(api.GET('/companies/{companyId}', { params: { path: { companyId } } })),
  });
  const d = detail.data;
  return (
    <DialogFrame isOpen onOpenChange={(open) => !open && onClose()} title={t('seats.title', { name })}>
      {d && d.atSeatCap && <SeatCapBanner name={name} filled={d.seatsFilled} total={d.seatsTotal} forMsp />}
      {d && <p className="hint">{d.seatsCapped ? t('seats.explainCapped') : t('seats.explainDefault', { name, total: d.seatsTotal })}</p>}
      {d && (
        <DialogForm
          submitLabel={t('seats.save')}
          validate={(v) => (WHOLE.test(v.seats ?? '') ? {} : { seats: t('field.wholeNumber') })}
          onSubmit={async (v) => {
            const r = await ok(api.PATCH('/companies/{companyId}', { params: { path: { companyId } }, body: { seats: Number(v.seats) } }));
            await Promise.all([client.invalidateQueries({ queryKey: ['companies'] }), client.invalidateQueries({ queryKey: ['company', companyId] })]);
            notify(t('seats.saved', { name, total: r.seatsTotal }));
          }}
          onDone={onClose}
        >
          <Field name="seats" label={t('seats.label')} type="number" defaultValue={String(d.seatsTotal)} isRequired autoFocus />
        </DialogForm>
      )}
    </DialogFrame>
  );
}
