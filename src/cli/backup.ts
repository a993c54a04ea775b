// `mspbridge backup --to FILE`: a consistent copy while the service runs. SQLite: the online
// backup API (pages copied under the WAL, writers keep going); PostgreSQL: pg_dump's custom format.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { loadConfig } from '../config';
import { isSqliteUrl, openDb, sqlitePath } from '../db/knex';
import { action } from './action';
import { CliError, printResult } from './output';

interface BackupProgress {
  totalPages: number;
  remainingPages: number;
}

interface BetterSqlite {
  backup(destination: string, options?: { progress?: (p: BackupProgress) => number }): Promise<BackupProgress>;
}

/** The most pages better-sqlite3 lets one backup step copy (it clamps to int32). */
const ALL_PAGES = 0x7fffffff;

async function backupSqlite(url: string, to: string): Promise<{ bytes: number; method: string }> {
  const db = openDb({ url, poolMax: 1 });
  try {
    const conn = (await db.client.acquireConnection()) as BetterSqlite;
    try {
      // All pages in one step, under one read snapshot. better-sqlite3's default copies 100
      // pages per step and yields in between; a commit by another process in between restarts
      // the copy from page 1, so under a steady stream of writes a large database never
      // finished. One step holds a WAL read snapshot only: writers go on meanwhile.
      await conn.backup(to, { progress: () => ALL_PAGES });
    } finally {
      await db.client.releaseConnection(conn);
    }
  } finally {
    await db.destroy();
  }
  return { bytes: fs.statSync(to).size, method: 'sqlite online backup' };
}

function pgDumpArgs(url: string, to: string): string[] {
  const u = new URL(url);
  const schema = u.searchParams.get('schema');
  u.searchParams.delete('schema');
  return ['--format=custom', '--no-owner', `--file=${to}`, ...(schema ? [`--schema=${schema}`] : []), `--dbname=${u.toString()}`];
}

async function backupPostgres(url: string, to: string): Promise<{ bytes: number; method: string }> {
  await new Promise<void>((resolve, reject) => {
    const child = spawn('pg_dump', pgDumpArgs(url, to), { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('error', (e) => reject(new CliError(`pg_dump could not run (${e.message}); install the PostgreSQL client tools`)));
    child.on('close', (code) => (code === 0 ? resolve() : reject(new CliError(`pg_dump failed: ${err.trim().split('\n')[0]}`))));
  });
  return { bytes: fs.statSync(to).size, method: 'pg_dump --format=custom (restore with pg_restore)' };
}

export function registerBackup(program: Command): void {
  program
    .command('backup')
    .description('write a consistent backup of the database while the service runs')
    .requiredOption('--to <file>', 'where to write it (must not exist)')
    .option('--json', 'print JSON')
    .action(
      action(async (opts: { to: string; json?: boolean }) => {
        const config = loadConfig();
        const to = path.resolve(opts.to);
        if (fs.existsSync(to)) throw new CliError(`${to} exists; choose a new file`);
        fs.mkdirSync(path.dirname(to), { recursive: true });
        const started = Date.now();
        const r = isSqliteUrl(config.databaseUrl)
          ? sqlitePath(config.databaseUrl) === ':memory:'
            ? (() => {
                throw new CliError('an in-memory database cannot be backed up');
              })()
            : await backupSqlite(config.databaseUrl, to)
          : await backupPostgres(config.databaseUrl, to);
        printResult(opts.json, { file: to, ...r, ms: Date.now() - started }, (o) => `Backup written to ${o.file} (${o.bytes} bytes, ${o.method}).`);
      }),
    );
}
