// Starts every queue's worker (and the outbox relay) in this process; closes them on shutdown.
import type { Runtime } from '../src/runtime';

export interface WorkerSet {
  names: string[];
  close(): Promise<void>;
}

export async function startWorkers(rt: Runtime): Promise<WorkerSet> {
  rt.log.info('workers: none configured yet');
  return { names: [], close: async () => undefined };
}
