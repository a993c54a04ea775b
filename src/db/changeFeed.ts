// What committed work announces to the process it ran in: the accounts whose credentials changed
// (revoked, rotated). The runtime passes each announcement on to the other processes (Redis).
import { EventEmitter } from 'node:events';

export interface ChangeFeed {
  /** Called once per account after the commit that changed its credentials. */
  onCredentials(fn: (accountId: string) => void): () => void;
  credentialsChanged(accountId: string): void;
}

// Keyed by the knex instance (one per process, or per test app): no state shared between databases.
const feeds = new WeakMap<object, ChangeFeed>();

export function changeFeedOf(db: object): ChangeFeed {
  let feed = feeds.get(db);
  if (!feed) {
    const emitter = new EventEmitter();
    emitter.setMaxListeners(0);
    feed = {
      onCredentials(fn) {
        emitter.on('credentials', fn);
        return () => emitter.off('credentials', fn);
      },
      credentialsChanged(accountId) {
        emitter.emit('credentials', accountId);
      },
    };
    feeds.set(db, feed);
  }
  return feed;
}
