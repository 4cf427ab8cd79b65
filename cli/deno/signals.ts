// Ctrl-C (SIGINT) and SIGTERM cancel a Deno command's job: they abort its AbortController with an
// AbortError naming the signal, and the command then exits with that signal's conventional status.
// Shared by the CLI (cli.ts) and the distributed coordinator (submit.ts).

/** The first signal that cancelled the job. */
let received: 'SIGINT' | 'SIGTERM' | null = null;

/** Aborts `controller` on SIGINT or SIGTERM; returns a function that stops listening. */
export function abortOnSignals(controller: AbortController): () => void {
  const on = (name: 'SIGINT' | 'SIGTERM', message: string) => () => {
    received ??= name;
    controller.abort(new DOMException(message, 'AbortError'));
  };
  const onSigint = on('SIGINT', 'Interrupted (SIGINT)');
  const onSigterm = on('SIGTERM', 'Terminated (SIGTERM)');
  Deno.addSignalListener('SIGINT', onSigint);
  Deno.addSignalListener('SIGTERM', onSigterm);
  return () => {
    Deno.removeSignalListener('SIGINT', onSigint);
    Deno.removeSignalListener('SIGTERM', onSigterm);
  };
}

/** The exit status for a command that failed with `err`: 130 / 143 when a signal cancelled it, else 1. */
export function exitStatus(err: unknown): number {
  return err instanceof DOMException && err.name === 'AbortError' ? (received === 'SIGTERM' ? 143 : 130) : 1;
}
