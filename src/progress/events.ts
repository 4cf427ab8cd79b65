// Emitting progress events; their types live in the leaf (src/types/progress.ts).
import type { ProgressEvent, ProgressSink } from '../types/mod.ts';

export type { ProgressEvent, ProgressSink } from '../types/mod.ts';

/** Calls the sink, never letting a throwing sink break the job. */
export function emit(sink: ProgressSink | undefined, event: ProgressEvent): void {
  if (!sink) return;
  try {
    sink(event);
  } catch (err) {
    console.error('onProgress threw; ignoring', err);
  }
}
