#!/usr/bin/env node
// Writes bench/RELIABILITY.md from what `npm run test:faults` measured: the figures each scenario
// recorded (test-artifacts/reliability/*.json) and the outcome of every test (.jest-results.json).
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const dir = path.join(root, 'test-artifacts', 'reliability');
const out = path.join(root, 'bench', 'RELIABILITY.md');

const scenarios = fs.existsSync(dir)
  ? fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')))
      .sort((a, b) => a.scenario.localeCompare(b.scenario))
  : [];
const resultsFile = path.join(root, '.jest-results.json');
const results = fs.existsSync(resultsFile) ? JSON.parse(fs.readFileSync(resultsFile, 'utf8')) : undefined;

const cell = (v) => String(v).replace(/\|/g, '\\|');
const lines = [
  '# Reliability and security report',
  '',
  'Written by `npm run test:faults` (scripts/reliability-report.js) from the figures the scenarios in',
  '`test/faults/` measured on real processes: `mspbridge serve|worker|start` spawned from the built bin,',
  'real SQLite files and PostgreSQL schemas, real Redis (a private `redis-server` where it is stopped on',
  'purpose), a real SMTP server (`smtp-server`) and a real OpenID provider (`oidc-provider`).',
  '',
];
if (results) {
  const when = new Date(results.startTime).toISOString();
  lines.push(
    `Last run: ${when}, ${results.numPassedTests} passed, ${results.numFailedTests} failed, on ${require('node:os').cpus().length} CPUs, Node ${process.version}.`,
    '',
  );
}
for (const s of scenarios) {
  lines.push(`## ${s.scenario}`, '', `**Injected:** ${s.injected}`, '', '**Checked:**', '');
  for (const c of s.checked) lines.push(`- ${c}`);
  lines.push('', '| figure | value |', '| --- | ---: |');
  for (const [k, v] of Object.entries(s.figures)) lines.push(`| ${cell(k)} | ${cell(v)} |`);
  lines.push('', `Command: \`${s.command}\` — measured ${s.at}.`, '');
}
if (results) {
  lines.push('## Every test of the run', '', '| file | test | result | ms |', '| --- | --- | --- | ---: |');
  for (const file of results.testResults) {
    for (const t of file.assertionResults) {
      lines.push(`| ${path.relative(root, file.name)} | ${cell(t.title)} | ${t.status} | ${t.duration ?? ''} |`);
    }
  }
  lines.push('');
}
fs.writeFileSync(out, lines.join('\n'));
console.log(`Written: ${path.relative(root, out)} (${scenarios.length} scenarios)`);
