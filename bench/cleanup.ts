// Undo stack for everything a bench run creates (processes, schemas, queue keys, temp files), run once on any exit.
type Undo = { label: string; fn: () => Promise<void> | void };

const stack: Undo[] = [];
let running: Promise<void> | undefined;

/** Registers an undo step; steps run last-registered first. */
export function onCleanup(label: string, fn: Undo['fn']): void {
  stack.push({ label, fn });
}

export function cleanup(): Promise<void> {
  running ??= (async () => {
    while (stack.length) {
      const step = stack.pop()!;
      try {
        await step.fn();
      } catch (err) {
        // One failed step must not leave the others (e.g. a child process) behind.
        process.stderr.write(`bench: cleanup "${step.label}" failed: ${(err as Error).message}\n`);
      }
    }
  })();
  return running;
}

/** Ctrl-C, kill and crashes still clean up; a second Ctrl-C exits at once. */
export function cleanupOnSignals(): void {
  let interrupted = false;
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      if (interrupted) process.exit(130);
      interrupted = true;
      process.stderr.write(`\nbench: ${signal}, cleaning up…\n`);
      void cleanup().finally(() => process.exit(130));
    });
  }
}
