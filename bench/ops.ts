// The SCIM requests measured, each a generator of per-request variations plus a check of one answer.
import type { OpName } from './options';
import { PATCH_OP, type ScimReply, type Target, USER_SCHEMA, membersValue } from './target';

export interface BenchRequest {
  method: 'GET' | 'POST' | 'PATCH';
  /** Path below the SCIM base URL. */
  path: string;
  body?: unknown;
}

/** Requests for one op against one target; its counters run on across warmup and rounds. */
export interface Generator {
  next(): BenchRequest;
  /** Why one answer is wrong (status, shape), or undefined when it is right. */
  check(req: BenchRequest, reply: ScimReply): string | undefined;
  /** After each run: undo what must not carry over into the next. Returns true when the run outran its pool. */
  settle(): Promise<boolean>;
}

export interface Op {
  name: OpName;
  title: string;
  generator(t: Target): Generator;
}

const PAGE = 100;

function statusIn(reply: ScimReply, ok: number[]): string | undefined {
  return ok.includes(reply.status) ? undefined : `HTTP ${reply.status} ${JSON.stringify(reply.body).slice(0, 300)}`;
}

const pick = (n: number) => Math.floor(Math.random() * n);

const noSettle = async () => false;

type Resources = { totalResults?: number; startIndex?: number; Resources?: Array<{ id?: string; userName?: string }> };

const filterOp: Op = {
  name: 'filter',
  title: 'GET /Users?filter=userName eq "x"',
  generator(t) {
    return {
      next: () => ({ method: 'GET', path: `/Users?filter=${encodeURIComponent(`userName eq "user${pick(t.users)}@bulk.example"`)}` }),
      check(req, reply) {
        const body = reply.body as Resources | undefined;
        const wanted = /user\d+%40bulk\.example/.exec(req.path)![0].replace('%40', '@');
        if (reply.status !== 200) return statusIn(reply, [200]);
        if (body?.totalResults !== 1 || body.Resources?.[0]?.userName !== wanted)
          return `expected exactly ${wanted}, got ${JSON.stringify(body).slice(0, 300)}`;
        return undefined;
      },
      settle: noSettle,
    };
  },
};

const getOp: Op = {
  name: 'get',
  title: 'GET /Users/{id}',
  generator(t) {
    return {
      next: () => ({ method: 'GET', path: `/Users/${t.userIds[pick(t.users)]}` }),
      check(req, reply) {
        const id = (reply.body as { id?: string } | undefined)?.id;
        return statusIn(reply, [200]) ?? (req.path.endsWith(`/${id}`) ? undefined : `answered another user: ${id}`);
      },
      settle: noSettle,
    };
  },
};

/** The last full page: offset paging's worst case, what the end of an Okta import asks for. */
const pageOp: Op = {
  name: 'page',
  title: 'GET /Users?startIndex=K&count=100 (last page)',
  generator(t) {
    const startIndex = t.total - PAGE + 1;
    const nameAt = (i: number) => (i < t.users ? `user${i}` : `pool${i - t.users}`);
    return {
      next: () => ({ method: 'GET', path: `/Users?startIndex=${startIndex}&count=${PAGE}` }),
      check(_req, reply) {
        const body = reply.body as Resources | undefined;
        if (reply.status !== 200) return statusIn(reply, [200]);
        const first = body?.Resources?.[0]?.userName;
        if (body?.totalResults !== t.total || body.Resources?.length !== PAGE || first !== `${nameAt(startIndex - 1)}@bulk.example`) {
          return `expected users ${startIndex}…${startIndex + PAGE - 1} of ${t.total}, got totalResults ${body?.totalResults}, ${body?.Resources?.length} resources from ${first}`;
        }
        return undefined;
      },
      settle: noSettle,
    };
  },
};

const postOp: Op = {
  name: 'post',
  title: 'POST /Users',
  generator(t) {
    let n = 0;
    return {
      next() {
        const userName = `new${n++}-${t.key}@post.example`;
        return {
          method: 'POST',
          path: '/Users',
          body: {
            schemas: [USER_SCHEMA],
            userName,
            name: { givenName: `new${n}`, familyName: 'Posted' },
            emails: [{ value: userName, type: 'work', primary: true }],
            active: true,
          },
        };
      },
      check: (_req, reply) => statusIn(reply, [201]),
      settle: noSettle,
    };
  },
};

/** Each request suspends the next user; after a full pass the next pass reactivates them. */
const patchUserOp: Op = {
  name: 'patch-user',
  title: 'PATCH /Users/{id} active',
  generator(t) {
    let n = 0;
    return {
      next() {
        const i = n++;
        return {
          method: 'PATCH',
          path: `/Users/${t.userIds[i % t.users]}`,
          body: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: Math.floor(i / t.users) % 2 === 1 }] },
        };
      },
      check: (_req, reply) => statusIn(reply, [200, 204]),
      settle: noSettle,
    };
  },
};

/**
 * Each request adds a different pool user to the group; after the run they are taken out
 * again so every run starts from the same group size. A run that needs more requests than
 * the pool holds re-adds members already there (no-ops) and is flagged.
 */
function groupOp(name: OpName, which: 'small' | 'large', members: number): Op {
  return {
    name,
    title: `PATCH /Groups/{id} add 1 member, group of ${members.toLocaleString('en-US')}`,
    generator(t) {
      const group = t.groups[which];
      let handedOut = 0;
      return {
        next() {
          const id = t.poolIds[handedOut++ % t.poolIds.length]!;
          return {
            method: 'PATCH',
            path: `/Groups/${group.id}`,
            body: { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: membersValue([id]) }] },
          };
        },
        check: (_req, reply) => statusIn(reply, [200, 204]),
        async settle() {
          const wrapped = handedOut > t.poolIds.length;
          await t.resetGroup(group, t.poolIds.slice(0, Math.min(handedOut, t.poolIds.length)));
          handedOut = 0;
          return wrapped;
        },
      };
    },
  };
}

export function buildOps(groupSizes: { small: number; large: number }): Record<OpName, Op> {
  return {
    filter: filterOp,
    get: getOp,
    page: pageOp,
    post: postOp,
    'patch-user': patchUserOp,
    'group-small': groupOp('group-small', 'small', groupSizes.small),
    'group-large': groupOp('group-large', 'large', groupSizes.large),
  };
}
