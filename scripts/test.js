#!/usr/bin/env node
// npm test: build, typecheck, lint and dependency rules, then jest; ends with "N passed, N failed".
// With --faults it builds and runs the fault/load/security scenarios instead (npm run test:faults).
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const args = process.argv.slice(2);
const faults = args.includes('--faults');
const only = args.includes('--jest-only') || faults;
const jestArgs = [...(faults ? ['-c', 'jest.faults.config.js'] : []), ...args.filter((a) => a !== '--jest-only' && a !== '--faults')];
let passed = 0;
let failed = 0;

function step(name, cmd, cmdArgs) {
  const started = Date.now();
  const r = spawnSync(cmd, cmdArgs, { cwd: root, stdio: 'inherit', env: process.env });
  const ok = r.status === 0;
  console.log(`[${ok ? 'pass' : 'FAIL'}] ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  if (ok) passed++;
  else failed++;
}

const bin = (name) => path.join(root, 'node_modules', '.bin', name);
if (faults) step('build', 'npm', ['run', '--silent', 'build']);
if (!only) {
  step('build', 'npm', ['run', '--silent', 'build']);
  step('typecheck', bin('tsc'), ['--noEmit']);
  step('typecheck console', bin('tsc'), ['-p', 'console/tsconfig.json']);
  step('console API types match the route table', process.execPath, [path.join(root, 'scripts', 'api-types.js'), '--check']);
  step('lint (eslint, prettier, knip)', 'npm', ['run', '--silent', 'lint']);
  step('dependency rules', bin('depcruise'), ['src', 'workers', '--config', '.dependency-cruiser.js', '--output-type', 'err']);
}

// A full faults run starts its report afresh; a run of one file or test adds to the last one.
if (faults && jestArgs.length === 2) fs.rmSync(path.join(root, 'test-artifacts', 'reliability'), { recursive: true, force: true });
const results = path.join(root, '.jest-results.json');
fs.rmSync(results, { force: true });
spawnSync(bin('jest'), ['--json', `--outputFile=${results}`, ...jestArgs], { cwd: root, stdio: 'inherit', env: process.env });
if (fs.existsSync(results)) {
  const r = JSON.parse(fs.readFileSync(results, 'utf8'));
  passed += r.numPassedTests;
  failed += r.numFailedTests;
  // A suite that failed to load has no test counted: count it as a failure.
  failed += r.testResults.filter((s) => s.status === 'failed' && s.assertionResults.length === 0).length;
} else {
  console.log('jest produced no results');
  failed++;
}
if (faults) spawnSync(process.execPath, [path.join(root, 'scripts', 'reliability-report.js')], { cwd: root, stdio: 'inherit' });
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
