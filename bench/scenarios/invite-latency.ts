// Issue 9: a single invitation reaches the SMTP server ≤ 5 s after its POST. Single POST /Users
// on an idle deployment, one at a time; each timed from the POST's start to the end of the
// email's DATA at the sink (outbox → relay poll → BullMQ → worker → SMTP).
import { type Latency, jsonOf, latencyOf, sleep, waitUntil } from '../http';
import type { DbKind } from '../options';
import { type MailStack, userBody } from './mail-stack';

export interface InviteLatencyResult {
  db: DbKind;
  samples: number;
  /** The POST's own answer time. */
  post: Latency;
  /** POST start → the whole message at the SMTP server. */
  mail: Latency;
  /** Invitations that never arrived (within 30 s) or arrived more than once. */
  missing: number;
  duplicates: number;
  problems: string[];
}

export async function measureInviteLatency(stack: MailStack, samples: number): Promise<InviteLatencyResult> {
  // Idle: whatever ran before has finished.
  await stack.serve.waitIdle();
  if (stack.worker) await stack.worker.waitIdle();
  const client = stack.scim(1);
  const post: number[] = [];
  const mail: number[] = [];
  const problems: string[] = [];
  let missing = 0;
  const addr = (i: number) => `lat${i}@${stack.db}.latency.example`;
  for (let i = 0; i < samples; i++) {
    const startedAt = performance.now();
    const r = await client.request('POST', '/Users', { body: userBody(addr(i)), timeoutMs: 30_000 });
    post.push(r.ms);
    if (r.status !== 201 || jsonOf<{ userName?: string }>(r)?.userName !== addr(i)) {
      problems.push(`POST /Users ${addr(i)}: HTTP ${r.status || r.error} ${r.body.slice(0, 200)}`);
      continue;
    }
    if (!(await waitUntil(() => !!stack.sink.arrivalOf(addr(i)), 30_000, 5))) {
      missing++;
      problems.push(`no email for ${addr(i)} within 30 s`);
      continue;
    }
    mail.push(stack.sink.arrivalOf(addr(i))!.at - startedAt);
    // Apart, so each POST meets an idle relay and worker.
    await sleep(300);
  }
  await sleep(1000);
  const t = stack.sink.tally('lat');
  if (t.withoutLink) problems.push(`${t.withoutLink} invitation emails without a link`);
  return { db: stack.db, samples, post: latencyOf(post), mail: latencyOf(mail), missing, duplicates: t.duplicates, problems };
}
