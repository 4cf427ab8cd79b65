// The frame-source input (src/input/frame-source.ts and frame-audio.ts) on fake VideoFrames and a
// fake Opus encoder: the option checks, the SourceInfo it declares, frame ownership (taken frames
// are the engine's to close, on success and on every error), RGB → I420 conversion, early end,
// abort, and AudioData encoded as an Opus track.
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { openFrameCount, release } from '../../src/decode/frames.ts';
import { isFrameSource, openFrameSource } from '../../src/input/frame-source.ts';
import type { FrameSource, FrameSourceCodecs } from '../../src/input/frame-source.ts';
import { FakeAudioData, audioLog, fakeAudioCodecs } from '../lib/fake-audio.ts';
import { FakeVideoFrame } from '../lib/fake-frame.ts';
import { UnsupportedCodecError } from '../../src/errors.ts';

/** The fakes as the runtime's codecs that openFrameSource is given. */
let codecs: FrameSourceCodecs;
beforeEach(() => {
  codecs = { VideoFrame: FakeVideoFrame as unknown as typeof VideoFrame, audio: fakeAudioCodecs() };
});

const i420 = (w: number, h: number, timestamp = 0) => new FakeVideoFrame({ format: 'I420', codedWidth: w, codedHeight: h, timestamp, duration: 40_000 });

async function* items(list: unknown[]): AsyncGenerator<VideoFrame | AudioData> {
  for (const x of list) yield x as VideoFrame;
}

function src(list: unknown[], extra: Partial<FrameSource> = {}): FrameSource {
  return { width: 32, height: 32, frameRate: 25, frames: items(list), ...extra };
}

/** Takes every frame as the pipeline does (releasing each), and returns them. */
async function drain(source: FrameSource, signal?: AbortSignal): Promise<VideoFrame[]> {
  const input = openFrameSource(source, codecs);
  const got: VideoFrame[] = [];
  for await (const f of input.frames(signal)) {
    got.push(f);
    release(f);
  }
  return got;
}

describe('openFrameSource: checks and declared facts', () => {
  const bad: Array<[string, Partial<FrameSource>, RegExp]> = [
    ['width', { width: 1 }, /^options\.input\.width must be an integer between 2 and 8192, got 1$/],
    ['height', { height: 8193 }, /^options\.input\.height must be an integer between 2 and 8192, got 8193$/],
    ['fractional width', { width: 31.5 }, /^options\.input\.width must be an integer/],
    ['frameRate', { frameRate: 0 }, /^options\.input\.frameRate must be a number between 0 and 1000, got 0$/],
    ['frameRate NaN', { frameRate: Number.NaN }, /^options\.input\.frameRate must be a number between 0 and 1000, got NaN$/],
    ['frameCount', { frameCount: -1 }, /^options\.input\.frameCount must be a non-negative integer, got -1$/],
  ];
  for (const [what, patch, message] of bad) {
    it(`refuses a bad ${what} with a RangeError naming it`, () => {
      assert.throws(() => openFrameSource(src([], patch), codecs), (e: unknown) => e instanceof RangeError && message.test(e.message));
    });
  }

  it('refuses frames that are not an async iterable (TypeError)', () => {
    assert.throws(() => openFrameSource({ ...src([]), frames: [] as unknown as AsyncIterable<VideoFrame> }, codecs), (e: unknown) => e instanceof TypeError && e.message === 'options.input.frames must be an async iterable of VideoFrames');
  });

  it('declares the source facts: size, rate, duration from frameCount, BT.709 limited unless told', () => {
    const { info } = openFrameSource(src([], { width: 640, height: 360, frameRate: 30, frameCount: 90, colorSpace: { fullRange: true } }), codecs);
    assert.equal(info.container, 'frame-source');
    assert.deepEqual([info.displayWidth, info.displayHeight, info.codedWidth, info.squarePixelHeight, info.rotation], [640, 360, 640, 360, 0]);
    assert.equal(info.durationSeconds, 3);
    assert.equal(info.frameCount, 90);
    assert.deepEqual(info.colorSpace, { primaries: 'bt709', transfer: 'bt709', matrix: 'bt709', fullRange: true });
    assert.equal(info.audio, null);
  });

  it('isFrameSource: an object with frames; not a Blob, not null', () => {
    assert.equal(isFrameSource(src([])), true);
    assert.equal(isFrameSource(new Blob([])), false);
    assert.equal(isFrameSource(null), false);
    assert.equal(isFrameSource('video.mp4'), false);
  });
});

describe('frames(): ownership, conversion, ending', () => {
  it('YUV frames pass through as the same objects, adopted until released', async () => {
    const a = i420(32, 32, 0);
    const b = new FakeVideoFrame({ format: 'NV12', codedWidth: 32, codedHeight: 32, timestamp: 40_000 });
    const before = openFrameCount();
    const input = openFrameSource(src([a, b]), codecs);
    const got: VideoFrame[] = [];
    for await (const f of input.frames(undefined)) {
      assert.equal(openFrameCount(), before + 1, 'the frame in hand is counted as open');
      got.push(f);
      release(f);
    }
    assert.deepEqual(got, [a, b]);
    assert.equal(openFrameCount(), before);
    assert.equal(input.audio(), null, 'no AudioData: no audio track');
  });

  it('a frame of the wrong size: RangeError naming the frame and sizes; that frame is closed', async () => {
    const wrong = i420(32, 16);
    const before = openFrameCount();
    await assert.rejects(drain(src([i420(32, 32), wrong])), (e: unknown) => e instanceof RangeError && e.message === 'Cannot read frame source: frame 1 is 32x16, the source declared 32x32');
    assert.equal(wrong.closed, 1);
    assert.equal(openFrameCount(), before);
  });

  it('the visible rectangle, not the coded size, is what must match', async () => {
    const f = new FakeVideoFrame({ format: 'I420', codedWidth: 48, codedHeight: 48, visibleRect: { x: 0, y: 0, width: 32, height: 32 } });
    assert.equal((await drain(src([f]))).length, 1);
  });

  it('something that is not a frame: TypeError naming it and the count so far; it is closed if it can be', async () => {
    const junk = { close() { this.closed = true; }, closed: false };
    await assert.rejects(drain(src([i420(32, 32), junk])), (e: unknown) => e instanceof TypeError && e.message === 'options.input.frames yielded Object after 1 frames; it must yield VideoFrame or AudioData');
    assert.equal(junk.closed, true);
    await assert.rejects(drain(src(['frame.png'])), /yielded string after 0 frames/);
  });

  it('an RGBA frame becomes an engine-owned BT.709 limited-range I420 frame; the caller’s is closed', async () => {
    const red = new FakeVideoFrame({ format: 'RGBA', codedWidth: 4, codedHeight: 2, timestamp: 80_000, duration: 40_000, rgba: [255, 0, 0, 255] });
    const input = openFrameSource(src([red], { width: 4, height: 2 }), codecs);
    const it = input.frames(undefined);
    const out = (await it.next()).value as unknown as FakeVideoFrame;
    assert.notEqual(out, red);
    assert.equal(red.closed, 1);
    assert.equal(out.format, 'I420');
    assert.deepEqual([out.codedWidth, out.codedHeight, out.timestamp, out.duration], [4, 2, 80_000, 40_000]);
    assert.deepEqual(out.colorSpace, { primaries: 'bt709', transfer: 'bt709', matrix: 'bt709', fullRange: false });
    // Y = 16 + 219 * 0.2126 → 63; Cb = 128 - 112 * 0.2126 / 0.9278 → 102; Cr = 128 + 112 → 240.
    assert.deepEqual([...out.data!], [63, 63, 63, 63, 63, 63, 63, 63, 102, 102, 240, 240]);
    release(out as unknown as VideoFrame);
    assert.equal((await it.next()).done, true);
  });

  it('white and black map to 235/128/128 and 16/128/128 (odd size: chroma rounded up)', async () => {
    for (const [rgb, y] of [[[255, 255, 255], 235], [[0, 0, 0], 16]] as const) {
      const f = new FakeVideoFrame({ format: 'RGBX', codedWidth: 3, codedHeight: 3, rgba: [...rgb, 255] });
      const [out] = await drain(src([f], { width: 3, height: 3 }));
      assert.deepEqual([...(out as unknown as FakeVideoFrame).data!], [...Array(9).fill(y), 128, 128, 128, 128, 128, 128, 128, 128]);
    }
  });

  it('ending early (break) returns the caller’s iterator', async () => {
    let finished = false;
    async function* frames() {
      try {
        for (let i = 0; ; i++) yield i420(32, 32, i * 40_000) as unknown as VideoFrame;
      } finally {
        finished = true;
      }
    }
    const input = openFrameSource({ width: 32, height: 32, frameRate: 25, frames: frames() }, codecs);
    for await (const f of input.frames(undefined)) {
      release(f);
      break;
    }
    await new Promise((r) => setTimeout(r, 0));
    assert.equal(finished, true);
  });

  it('an abort while waiting for the next frame: AbortError, and the frame that comes late is closed', async () => {
    const late = i420(32, 32);
    let deliver!: () => void;
    const frames: AsyncIterable<VideoFrame> = {
      [Symbol.asyncIterator]: () => ({
        next: () => new Promise<IteratorResult<VideoFrame>>((resolve) => { deliver = () => resolve({ done: false, value: late as unknown as VideoFrame }); }),
        return: async () => ({ done: true, value: undefined }),
      }),
    };
    const ac = new AbortController();
    const run = drain({ width: 32, height: 32, frameRate: 25, frames }, ac.signal);
    await new Promise((r) => setTimeout(r, 0));
    ac.abort();
    await assert.rejects(run, (e: unknown) => (e as Error).name === 'AbortError');
    deliver();
    await new Promise((r) => setTimeout(r, 0));
    assert.equal(late.closed, 1);
  });

  it('AudioData among the frames becomes an Opus track once the frames end; each AudioData is closed', async () => {
    const audio = [0, 20_000, 40_000].map((t) => new FakeAudioData(48_000, 2, t, 20_000));
    const input = openFrameSource(src([i420(32, 32), audio[0], audio[1], i420(32, 32, 40_000), audio[2]]), codecs);
    let frames = 0;
    for await (const f of input.frames(undefined)) { frames++; release(f); }
    assert.equal(frames, 2);
    assert.ok(audio.every((a) => a.closed));
    const track = input.audio();
    assert.ok(track);
    assert.equal(track.codec, 'opus');
    assert.deepEqual(track.packets.map((p) => p.timestamp), [0, 20_000, 40_000]);
    assert.deepEqual(audioLog.encoders[0]!.config, { codec: 'opus', sampleRate: 48_000, numberOfChannels: 2, bitrate: 128_000 });
    assert.equal(audioLog.encoders[0]!.state, 'closed');
  });

  it('AudioData that changes format is a RangeError', async () => {
    const input = openFrameSource(src([new FakeAudioData(48_000, 2, 0, 20_000), new FakeAudioData(44_100, 2, 20_000, 20_000)]), codecs);
    await assert.rejects((async () => { for await (const f of input.frames(undefined)) release(f); })(),
      (e: unknown) => e instanceof RangeError && e.message === 'Cannot encode frame source audio: AudioData changed from 48000 Hz, 2 ch to 44100 Hz, 2 ch');
  });

  it('a runtime without audio codecs: AudioData is an UnsupportedCodecError, closed, and the frame before it too', async () => {
    const frame = i420(32, 32);
    const data = new FakeAudioData(48_000, 2, 0, 20_000);
    const input = openFrameSource(src([frame, data]), { ...codecs, audio: null });
    await assert.rejects((async () => { for await (const f of input.frames(undefined)) release(f); })(),
      (e: unknown) => e instanceof UnsupportedCodecError && e.message === 'Cannot encode frame source audio: this runtime has no WebCodecs AudioEncoder');
    assert.equal(data.closed, true);
    assert.equal(frame.closed, 1);
  });
});
