// The package root and version, found from package.json whether running from src/ (tsx) or dist/src/.
import fs from 'node:fs';
import path from 'node:path';

function findPackage(): { root: string; version: string } {
  let dir = __dirname;
  for (let i = 0; i < 4; i++) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) {
      const pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'mspbridge' && pkg.version) return { root: dir, version: pkg.version };
    }
    dir = path.dirname(dir);
  }
  return { root: path.join(__dirname, '..'), version: '0.0.0' };
}

const pkg = findPackage();
export const VERSION = pkg.version;
/** Where package.json, docs/ and bin/ are. */
export const PACKAGE_ROOT = pkg.root;
