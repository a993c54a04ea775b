// The deployment's secret (derived tokens, sessions): SECRET_KEY, else a key file under DATA_DIR.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from './config';

/**
 * Every process of a scale-out must share SECRET_KEY; a single node may let the first start
 * write a random key to DATA_DIR/secret.key (mode 0600) and reuse it.
 */
export function resolveSecretKey(config: Config): Buffer {
  if (config.secretKey) return Buffer.from(config.secretKey, 'utf8');
  const file = path.join(config.dataDir, 'secret.key');
  try {
    return Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'hex');
  } catch {
    fs.mkdirSync(config.dataDir, { recursive: true });
    const key = crypto.randomBytes(32).toString('hex');
    try {
      fs.writeFileSync(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
    } catch {
      // Another process wrote it first: use theirs.
      return Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'hex');
    }
    return Buffer.from(key, 'hex');
  }
}
