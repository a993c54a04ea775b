// Builds the console into dist/console (npm run build / prepare); the app serves that folder and
// builds nothing at run time. `npm run console:dev` serves it with live reload against a running
// app on :3000.
import path from 'node:path';
import optimizeLocales from '@react-aria/optimize-locales-plugin';
import { defineConfig } from 'vite';

const root = __dirname;

export default defineConfig({
  root,
  base: '/',
  // React Aria ships its words in 34 languages; the console speaks two.
  plugins: [optimizeLocales.vite({ locales: ['en-US', 'de-DE'] })],
  // JSX by Vite's own transform (no Babel plugin: it would pull a second Babel beside Jest's).
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: path.join(root, '..', 'dist', 'console'),
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
