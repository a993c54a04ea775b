// Seat caps: an allowance the MSP set explicitly (`company add --seats`, `company update`) is a
// hard cap every way of filling a seat respects (SCIM create, revival, adoption, reactivation, a
// manual invitation); a default allowance is not a cap. A refusal at the cap is reported to the
// MSP once per company per UTC day (msp_events `seats.cap_reached`).
import { type Account, getManagedCompany, seatsForUpdate, updateAccount } from '../db/accounts.repo';
import { fillsSeat, type MemberState } from '../db/members.repo';
import { requireWork } from '../db/unitOfWork';
import { auditOn } from './audit';
import { type Ctx, nowIso } from './context';
import { Forbidden, Invalid, NotFound } from './errors';
import { raiseMspEvent } from './mspEvents';
import { authorizeCompany } from './policy';

/** A seat allowance as given (company add, company update). */
export function assertSeats(seats: number): number {
  if (!Number.isInteger(seats) || seats < 0 || seats > 1_000_000) {
    throw new Invalid('company.seats.invalid', 'Seats must be a whole number from 0 to 1,000,000.');
  }
  return seats;
}

/** A capped company with every seat filled (or more, after its cap was lowered): new people are refused. */
export const atSeatCap = (c: Pick<Account, 'seatsTotal' | 'seatsFilled' | 'seatsCapped'>): boolean => c.seatsCapped && c.seatsFilled >= c.seatsTotal;

/** What the console's banner and the MSP's company view show about a company's seats. */
export interface SeatStatus {
  seatsTotal: number;
  seatsFilled: number;
  seatsCapped: boolean;
  /** Capped and no seat left (or more filled than the cap after it was lowered): new people are refused. */
  atCap: boolean;
}

export const seatStatus = (a: Pick<Account, 'seatsTotal' | 'seatsFilled' | 'seatsCapped'>): SeatStatus => ({
  seatsTotal: a.seatsTotal,
  seatsFilled: a.seatsFilled,
  seatsCapped: a.seatsCapped,
  atCap: atSeatCap(a),
});

/** Whether claimSeat has anything to check (a capped company, a seat about to be filled): else it reads and refuses nothing. */
export const seatCheckNeeded = (account: Account, from: MemberState | null, to: MemberState): boolean =>
  account.kind === 'company' && account.seatsCapped && fillsSeat(to) && !(from !== null && fillsSeat(from));

/**
 * A person is about to go from `from` (null: new) to `to` in `account`: refused when that fills
 * a seat beyond the account's cap. Call it before the write, with the account as read in this
 * transaction (whether it is capped). The seat counter is read under the account row's lock
 * (PostgreSQL) plus what this transaction has already filled, so concurrent creates into one
 * capped company are exact; uncapped accounts take no lock and cost no statement.
 */
export async function claimSeat(ctx: Ctx, account: Account, from: MemberState | null, to: MemberState): Promise<void> {
  if (!seatCheckNeeded(account, from, to)) return;
  const seats = await seatsForUpdate(ctx.tx, account.id);
  if (!seats?.capped) return;
  const work = requireWork(ctx.tx);
  const filled = seats.filled + work.pendingSeats(account.id);
  if (filled < seats.total) return;
  const mspId = account.mspId;
  if (mspId) {
    const day = nowIso(ctx).slice(0, 10);
    // The refused request rolls back; the MSP must still hear of it (once per company per day).
    work.regardlessOfOutcome((tx) =>
      raiseMspEvent({ ...ctx, tx }, mspId, {
        type: 'seats.cap_reached',
        account,
        data: { companyId: account.id, companyName: account.name, seatsTotal: seats.total, seatsFilled: filled },
        dedupeKey: `seats.cap_reached:${account.id}:${day}`,
      }),
    );
  }
  throw new Forbidden(
    'seats.cap_reached',
    `${account.name} has reached its seat cap of ${seats.total} (${filled} filled): nobody more can be added until its MSP raises the cap or a seat is freed.`,
    { seatsTotal: seats.total, seatsFilled: filled },
  );
}

/** `company update --seats N`: the MSP sets a company's allowance, which from now on is a hard cap. */
export async function updateCompanySeats(ctx: Ctx, input: { mspId: string; companyId: string; seats: number }): Promise<{ id: string } & SeatStatus> {
  await authorizeCompany(ctx, 'company.update', input.mspId, input.companyId);
  const company = await getManagedCompany(ctx.tx, input.mspId, input.companyId);
  if (!company) throw new NotFound('company.not_found', 'No such company.');
  const seats = assertSeats(input.seats);
  await updateAccount(ctx.tx, company.id, { seatsTotal: seats, seatsCapped: true }, nowIso(ctx));
  await auditOn(
    ctx,
    company,
    'company.seats_changed',
    { type: 'account', id: company.id },
    { from: company.seatsTotal, to: seats, wasCapped: company.seatsCapped, capped: true },
  );
  // Lowering a cap below the filled seats removes nobody; new people are refused until seats free up.
  return { id: company.id, ...seatStatus({ ...company, seatsTotal: seats, seatsCapped: true }) };
}
