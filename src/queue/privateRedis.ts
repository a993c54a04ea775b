// For `mspbridge start` on a fresh machine: a private redis-server child when no Redis answers.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { redisAnswers } from './connection';

export class RedisUnavailable extends Error {}

export interface PrivateRedis {
  url: string;
  stop(): Promise<void>;
}

export function findRedisServer(): string | undefined {
  const dirs = (process.env.PATH ?? '').split(path.delimiter).concat(['/usr/bin', '/usr/local/bin', '/usr/sbin', '/opt/homebrew/bin']);
  for (const d of dirs) {
    const candidate = path.join(d, 'redis-server');
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // keep looking
    }
  }
  return undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** Starts redis-server on a free loopback port, keeping nothing on disk; stops it with the process. */
export async function startPrivateRedis(binary: string, fixedPort?: number): Promise<PrivateRedis & { port: number }> {
  const port = fixedPort ?? (await freePort());
  const child: ChildProcess = spawn(binary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'yes'], {
    stdio: 'ignore',
  });
  const url = `redis://127.0.0.1:${port}`;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  for (let i = 0; i < 50; i++) {
    if (child.exitCode !== null) break;
    if (await redisAnswers(url, 200)) {
      const kill = () => child.kill('SIGTERM');
      process.once('exit', kill);
      return {
        url,
        port,
        stop: async () => {
          process.removeListener('exit', kill);
          if (child.exitCode === null) {
            child.kill('SIGTERM');
            await exited;
          }
        },
      };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new RedisUnavailable(`redis-server (${binary}) did not start on port ${port}`);
}

export const INSTALL_REDIS_HINT =
  'Redis is needed for background jobs: nothing answers on 127.0.0.1:6379 and no redis-server binary was found. ' +
  'Install it (Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis) or set REDIS_URL=redis://host:port.';
