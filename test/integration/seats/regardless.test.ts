// A unit of work's writes that stand whatever its outcome (how a refused seat still reports the
// cap to the MSP): they land after a rollback, after a commit, and from inside a savepoint.
import { listMspEvents } from '../../../src/db/mspEvents.repo';
import { requireWork, savepoint, unitOfWork } from '../../../src/db/unitOfWork';
import { createMsp } from '../../../src/domain/accounts';
import { raiseMspEvent } from '../../../src/domain/mspEvents';
import { operator } from '../../../src/domain/principal';
import { asOp } from '../../helpers/ctx';
import { describeEachDb } from '../../helpers/db';

describeEachDb('writes regardless of the outcome', (t) => {
  it('records them after a rollback, a commit and a rolled-back savepoint, each once', async () => {
    const { db } = t();
    const msp = await asOp(db, (ctx) => createMsp(ctx, { name: 'Regardless', region: 'eu', ownerEmail: 'o@regardless.example' }, ['eu']));
    const raise = (key: string) => (tx: Parameters<Parameters<typeof unitOfWork>[1]>[0]) =>
      raiseMspEvent({ tx, actor: operator('test'), now: new Date() }, msp.account.id, {
        type: 'seats.cap_reached',
        account: null,
        data: { key },
        dedupeKey: key,
      });
    await expect(
      unitOfWork(db, async (tx) => {
        requireWork(tx).regardlessOfOutcome(raise('after-rollback'));
        await tx('accounts').where({ id: msp.account.id }).update({ name: 'changed' });
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    await unitOfWork(db, async (tx) => {
      requireWork(tx).regardlessOfOutcome(raise('after-commit'));
      await savepoint(tx, async (sp) => {
        requireWork(sp).regardlessOfOutcome(raise('from-savepoint'));
        throw new Error('dry run');
      }).catch(() => undefined);
    });
    // Raised again: the dedupe key keeps one.
    await unitOfWork(db, async (tx) => requireWork(tx).regardlessOfOutcome(raise('after-commit')));
    const keys = (await listMspEvents(db, msp.account.id)).map((e) => e.dedupeKey).sort();
    expect(keys).toEqual(['after-commit', 'after-rollback', 'from-savepoint']);
    // The rolled-back change itself did not land.
    expect((await db('accounts').where({ id: msp.account.id }).first('name')).name).toBe('Regardless');
  });
});
