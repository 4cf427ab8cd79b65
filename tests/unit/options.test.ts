// The options stage as a caller sees it: transcode() (through src/mod.ts) rejects a bad option with a
// TypeError or RangeError that names the option, before any work starts; a good set of options gets
// past the checks (here, with no GPU under Node, to the EmptyPoolError of an adapter pool with none).
// Only observable behaviour is asserted, so the checks can be rewritten (one option schema) freely:
// the class, and the option's name in the message.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EmptyPoolError, transcode } from '../../src/mod.ts';
import type { TranscodeOptions } from '../../src/mod.ts';

const input = new Uint8Array(64);

async function rejection(options: unknown): Promise<Error> {
  try {
    await transcode(options as TranscodeOptions);
  } catch (err) {
    return err as Error;
  }
  throw new Error('transcode() resolved');
}

const BAD: Array<[string, Record<string, unknown>, 'TypeError' | 'RangeError', RegExp]> = [
  ['no options object', null as unknown as Record<string, unknown>, 'TypeError', /options/],
  ['no input', {}, 'TypeError', /options\.input/],
  ['an unknown format', { input, format: 'webm' }, 'TypeError', /options\.format/],
  ['a target without write()', { input, target: {} }, 'TypeError', /options\.target/],
  ['an empty ladder', { input, ladder: [] }, 'TypeError', /options\.ladder/],
  ['a rung of 1 pixel', { input, ladder: [720, 1] }, 'RangeError', /options\.ladder\[1\]/],
  ['a rung over 8192', { input, ladder: [{ height: 8194 }] }, 'RangeError', /options\.ladder\[0\]/],
  ['a fractional rung', { input, ladder: [719.5] }, 'RangeError', /options\.ladder\[0\]/],
  ['a zero bitrate', { input, ladder: [{ height: 720, bitrate: 0 }] }, 'RangeError', /options\.ladder\[0\]\.bitrate/],
  ['a quantizer of 64', { input, ladder: [{ height: 720, quantizer: 64 }] }, 'RangeError', /options\.ladder\[0\]\.quantizer/],
  ['an unknown quality level', { input, quality: 'best' }, 'TypeError', /options\.quality/],
  ['one quantizer too few', { input, ladder: [720, 360], quality: [30] }, 'RangeError', /options\.quality/],
  ['a negative quantizer', { input, ladder: [720], quality: [-1] }, 'RangeError', /options\.quality\[0\]/],
  ['chunkSeconds 0', { input, chunkSeconds: 0 }, 'RangeError', /options\.chunkSeconds/],
  ['chunkSeconds over 60', { input, chunkSeconds: 61 }, 'RangeError', /options\.chunkSeconds/],
  ['leases 0', { input, leases: 0 }, 'RangeError', /options\.leases/],
  ['leases 1.5', { input, leases: 1.5 }, 'RangeError', /options\.leases/],
  ['a policy that is not a string', { input, policy: 3 }, 'TypeError', /options\.policy/],
  ['an unparsable policy', { input, policy: 'fastest' }, 'TypeError', /options\.policy/],
  ['maxInputPixels 0', { input, maxInputPixels: 0 }, 'RangeError', /options\.maxInputPixels/],
  ['maxFramesInFlight -1', { input, maxFramesInFlight: -1 }, 'RangeError', /options\.maxFramesInFlight/],
  ['maxScalesInFlight "2"', { input, maxScalesInFlight: '2' }, 'RangeError', /options\.maxScalesInFlight/],
  ['maxBufferedBytes NaN', { input, maxBufferedBytes: Number.NaN }, 'RangeError', /options\.maxBufferedBytes/],
  ['qualityReport "yes"', { input, qualityReport: 'yes' }, 'TypeError', /options\.qualityReport/],
  ['an unknown audio mode', { input, audio: 'mute' }, 'TypeError', /options\.audio/],
  ['a signal that is not an AbortSignal', { input, signal: {} }, 'TypeError', /options\.signal/],
  ['onProgress that is not a function', { input, onProgress: 'log' }, 'TypeError', /options\.onProgress/],
];

describe('transcode() option errors', () => {
  for (const [what, options, type, names] of BAD) {
    it(`${what}: ${type} naming it`, async () => {
      const err = await rejection(options);
      assert.equal(err.name, type, `${err.name}: ${err.message}`);
      assert.match(err.message, names);
    });
  }

  it('good options pass the checks (and meet the empty adapter pool of a GPU-less Node)', async () => {
    const good: Array<Record<string, unknown>> = [
      { input },
      { input, format: 'cmaf', ladder: [720, { height: 360, bitrate: 400_000 }], quality: [30, 40], chunkSeconds: 0.1, leases: 1, policy: 'all', audio: 'drop', qualityReport: true, maxInputPixels: 1, signal: new AbortController().signal, onProgress: () => {} },
      { input, ladder: [2, 8192], chunkSeconds: 60, quality: 'low' },
    ];
    for (const options of good) {
      const err = await rejection(options);
      assert.ok(err instanceof EmptyPoolError, `${JSON.stringify(Object.keys(options))}: ${err.name}: ${err.message}`);
    }
  });

  it('an aborted signal is an AbortError before any work', async () => {
    const ac = new AbortController();
    ac.abort();
    assert.equal((await rejection({ input, signal: ac.signal })).name, 'AbortError');
  });
});
