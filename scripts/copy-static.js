#!/usr/bin/env node
// Part of the build: the console's static files go next to the compiled web module.
const fs = require('node:fs');
const path = require('node:path');

const from = path.join(__dirname, '..', 'src', 'web', 'static');
const to = path.join(__dirname, '..', 'dist', 'src', 'web', 'static');
fs.mkdirSync(to, { recursive: true });
for (const f of fs.readdirSync(from)) fs.copyFileSync(path.join(from, f), path.join(to, f));
