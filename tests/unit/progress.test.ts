// The progress stage (src/progress/events.ts): emit() hands every event to the sink as is, does
// nothing without one, and a sink that throws neither breaks the job nor stops later events.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emit } from '../../src/progress/events.ts';
import type { ProgressEvent } from '../../src/progress/events.ts';

const decode: ProgressEvent = { type: 'decode', frames: 10, totalFrames: 100, fps: 25, etaSeconds: 3.6 };
const done: ProgressEvent = { type: 'job-done', wallMs: 1234, decodedFrames: 100 };

describe('emit', () => {
  it('calls the sink once per event with the same object, in order', () => {
    const seen: ProgressEvent[] = [];
    emit((e) => seen.push(e), decode);
    emit((e) => seen.push(e), done);
    assert.equal(seen.length, 2);
    assert.equal(seen[0], decode);
    assert.equal(seen[1], done);
  });

  it('without a sink it does nothing', () => {
    assert.doesNotThrow(() => emit(undefined, decode));
  });

  it('a throwing sink is reported on console.error and swallowed; the next event still arrives', (t) => {
    const logged: unknown[][] = [];
    t.mock.method(console, 'error', (...args: unknown[]) => { logged.push(args); });
    const seen: string[] = [];
    const sink = (e: ProgressEvent) => {
      seen.push(e.type);
      if (e.type === 'decode') throw new Error('UI gone');
    };
    assert.doesNotThrow(() => emit(sink, decode));
    emit(sink, done);
    assert.deepEqual(seen, ['decode', 'job-done']);
    assert.equal(logged.length, 1);
    assert.match(String(logged[0]![0]), /onProgress threw; ignoring/);
    assert.equal((logged[0]![1] as Error).message, 'UI gone');
  });
});
