// Prepared statements outlive a migration that adds a column: a running `serve` keeps answering
// while `mspbridge migrate` runs beside it (PostgreSQL refuses a cached plan whose row type changed,
// so the statements name their columns instead of `*`).
import { getAccount } from '../../../src/db/accounts.repo';
import { findMemberByUserName } from '../../../src/db/members.repo';
import { unitOfWork } from '../../../src/db/unitOfWork';
import { createMsp } from '../../../src/domain/accounts';
import { addManualMember } from '../../../src/domain/members';
import { asOp } from '../../helpers/ctx';
import { describeEachDb } from '../../helpers/db';

describeEachDb('prepared statements across a schema change', (t) => {
  it('keep answering after columns are added to accounts and members', async () => {
    const { db } = t();
    const msp = await asOp(db, (ctx) => createMsp(ctx, { name: 'Plan MSP', region: 'us', ownerEmail: 'o@plan.example' }, ['us']));
    await asOp(db, (ctx) => addManualMember(ctx, { accountId: msp.account.id, email: 'p@plan.example' }));
    const read = () =>
      unitOfWork(db, async (tx) => [(await getAccount(tx, msp.account.id))?.name, (await findMemberByUserName(tx, msp.account.id, 'p@plan.example'))?.email]);
    // Warm every pooled connection's statements, then change the tables underneath them.
    for (let i = 0; i < 12; i++) expect(await read()).toEqual(['Plan MSP', 'p@plan.example']);
    await db.schema.alterTable('accounts', (tb) => tb.string('later_column').nullable());
    await db.schema.alterTable('members', (tb) => tb.string('later_column').nullable());
    for (let i = 0; i < 12; i++) expect(await read()).toEqual(['Plan MSP', 'p@plan.example']);
  });
});
