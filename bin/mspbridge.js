#!/usr/bin/env node
// The published entry point: runs the compiled CLI, or the TypeScript source when dist/ is missing.
const path = require('node:path');
const fs = require('node:fs');
const built = path.join(__dirname, '..', 'dist', 'src', 'main.js');
if (fs.existsSync(built)) {
  require(built).main(process.argv);
} else {
  require('tsx/cjs');
  require(path.join(__dirname, '..', 'src', 'main.ts')).main(process.argv);
}
