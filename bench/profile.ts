// Reads a V8 .cpuprofile (node --cpu-prof) and tells where the busy time went: by function and by package.
import fs from 'node:fs';
import path from 'node:path';

interface CpuNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: CpuNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface Share {
  name: string;
  ms: number;
  /** Of the busy time (idle excluded). */
  percent: number;
}

export interface ProfileSummary {
  file: string;
  busyMs: number;
  byPackage: Share[];
  byFunction: Share[];
  /** Our own functions (src/, workers/) with everything they call: which code paths cost what. */
  inclusiveOurs: Share[];
}

const ROOT = path.join(__dirname, '..');

/** The unit time is charged to: an npm package, a file of ours, or V8/Node itself. */
function packageOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return 'node core';
  const file = url.replace(/^file:\/\//, '');
  const nm = file.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const parts = file.slice(nm + 'node_modules/'.length).split('/');
    return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
  }
  // Compiled code: the line numbers are dist/'s, so the name stays .js.
  return path.relative(ROOT, file).replace(/^dist\//, '');
}

function top(map: Map<string, number>, busy: number, n: number): Share[] {
  return [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([name, us]) => ({ name, ms: us / 1000, percent: (100 * us) / busy }));
}

const isOurs = (pkg: string) => /^(src|workers)\//.test(pkg);

/**
 * Time under each of our functions, children included; a function on the stack twice
 * (recursion, or nested middleware) is charged once.
 */
function inclusiveByOurFunction(profile: CpuProfile, self: Map<number, number>, keyOf: (node: CpuNode) => string | undefined): Map<string, number> {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const childIds = new Set(profile.nodes.flatMap((node) => node.children ?? []));
  const out = new Map<string, number>();
  const onStack = new Map<string, number>();
  // Iterative DFS: profiles of long runs are deeper than the JS stack is comfortable with.
  const walk: Array<{ id: number; leave: boolean }> = profile.nodes.filter((node) => !childIds.has(node.id)).map((node) => ({ id: node.id, leave: false }));
  while (walk.length) {
    const { id, leave } = walk.pop()!;
    const node = byId.get(id)!;
    const key = keyOf(node);
    if (leave) {
      if (key) onStack.set(key, onStack.get(key)! - 1);
      continue;
    }
    const us = self.get(id) ?? 0;
    if (key) onStack.set(key, (onStack.get(key) ?? 0) + 1);
    for (const [k, depth] of onStack) if (depth > 0 && us) out.set(k, (out.get(k) ?? 0) + us);
    walk.push({ id, leave: true });
    for (const child of node.children ?? []) walk.push({ id: child, leave: false });
  }
  return out;
}

export function summariseProfile(file: string, n = 15): ProfileSummary {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const pkgs = new Map<string, number>();
  const fns = new Map<string, number>();
  let busy = 0;
  for (const [id, us] of self) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    if (functionName === '(idle)') continue;
    busy += us;
    const pkg = packageOf(url, functionName);
    pkgs.set(pkg, (pkgs.get(pkg) ?? 0) + us);
    const fn = `${functionName || '(anonymous)'} ${url ? `${pkg}:${lineNumber + 1}` : ''}`.trim();
    fns.set(fn, (fns.get(fn) ?? 0) + us);
  }
  const inclusive = inclusiveByOurFunction(profile, self, ({ callFrame: { functionName, url, lineNumber } }) => {
    const pkg = packageOf(url, functionName);
    return isOurs(pkg) ? `${functionName || '(anonymous)'} ${pkg}:${lineNumber + 1}` : undefined;
  });
  return {
    file: path.relative(ROOT, file),
    busyMs: busy / 1000,
    byPackage: top(pkgs, busy, n),
    byFunction: top(fns, busy, n),
    inclusiveOurs: top(inclusive, busy, n),
  };
}
