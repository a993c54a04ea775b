// Builds the console into dist/console (npm run build / prepare); the app serves that folder and
// builds nothing at run time. `npm run console:dev` serves it with live reload against a running
// app on :3000.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import optimizeLocales from '@react-aria/optimize-locales-plugin';
import { type Plugin, defineConfig } from 'vite';

const root = import.meta.dirname;
const outDir = path.join(root, '..', 'dist', 'console');

/** A .gz beside each script and style, made once here, so the server compresses nothing per request. */
function precompress(): Plugin {
  return {
    name: 'mspbridge-precompress',
    apply: 'build',
    closeBundle() {
      const dir = path.join(outDir, 'assets');
      for (const f of fs.readdirSync(dir).filter((x) => /\.(js|css)$/.test(x))) {
        fs.writeFileSync(path.join(dir, `${f}.gz`), zlib.gzipSync(fs.readFileSync(path.join(dir, f)), { level: 9 }));
      }
    },
  };
}

export default defineConfig({
  root,
  base: '/',
  // React Aria ships its words in 34 languages; the console speaks two.
  plugins: [optimizeLocales.vite({ locales: ['en-US', 'de-DE'] }), precompress()],
  // JSX by Vite's own transform (no Babel plugin: it would pull a second Babel beside Jest's).
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir,
    emptyOutDir: true,
    assetsDir: 'assets',
    target: 'es2022',
    sourcemap: false,
    // One budget for the whole app: the size test measures it gzipped.
    chunkSizeWarningLimit: 600,
    rolldownOptions: {
      // React Server Components' "use client" markers mean nothing in a client-only bundle.
      onLog(level, log, handler) {
        if (log.code === 'MODULE_LEVEL_DIRECTIVE') return;
        handler(level, log);
      },
    },
  },
  server: {
    port: 5173,
    fs: { allow: [path.join(root, '..')] },
    proxy: Object.fromEntries(['/api', '/auth', '/signin/', '/console/', '/invitations', '/recovery', '/links'].map((p) => [p, 'http://127.0.0.1:3000'])),
  },
});
