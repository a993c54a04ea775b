// Preloaded into a serve process by the fuzz test (NODE_OPTIONS=--expose-gc --require): on SIGUSR2
// it runs a full garbage collection and writes process.memoryUsage() to GC_PROBE_FILE, so the test
// compares the live heap, not whatever garbage V8 has not collected yet.
const fs = require('node:fs');

if (process.env.GC_PROBE_FILE && typeof global.gc === 'function') {
  process.on('SIGUSR2', () => {
    global.gc();
    const tmp = `${process.env.GC_PROBE_FILE}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(process.memoryUsage()));
    fs.renameSync(tmp, process.env.GC_PROBE_FILE);
  });
}
