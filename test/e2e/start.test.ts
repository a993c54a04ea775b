// `mspbridge start` on a fresh folder: migrates SQLite under DATA_DIR, serves /healthz, stops on SIGTERM.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BIN, ROOT } from '../helpers/cli';
import { REDIS_URL } from '../helpers/app';

function startProcess(env: Record<string, string>) {
  const child = spawn(process.execPath, [BIN, 'start'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'warn', ...env },
  });
  let out = '';
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const url = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${err}`)));
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, url, exited, stderr: () => err };
}

describe('mspbridge start', () => {
  it('migrates a new SQLite database, serves health and readiness, and exits cleanly on SIGTERM', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mspbridge-start-'));
    const dbFile = path.join(dir, 'data', 'mspbridge.sqlite');
    const p = startProcess({ DATABASE_URL: `sqlite:${dbFile}`, PORT: '0', REDIS_URL, QUEUE_PREFIX: `start-${process.pid}` });
    try {
      const url = await p.url;
      expect(fs.existsSync(dbFile)).toBe(true);
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      expect((await fetch(`${url}/readyz`)).status).toBe(200);
    } finally {
      p.child.kill('SIGTERM');
    }
    expect(await p.exited).toBe(0);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('exits with a clear message when the configuration is wrong', async () => {
    const p = startProcess({ DATABASE_URL: 'sqlite:/tmp/x.sqlite', PORT: 'eighty' });
    await expect(p.url).rejects.toThrow(/invalid configuration: PORT/);
    expect(await p.exited).toBe(1);
  });
});
