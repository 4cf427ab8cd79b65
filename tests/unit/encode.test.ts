// The encoder core (src/encode/chunk-encoder.ts) on a fake VideoEncoder: the configuration per rate
// mode, hardware/software choice and its cache, key frame on the first frame of each chunk, the
// quantizer passed per frame, every VideoFrame closed, at most 4 frames queued, and the errors
// (no encoder, an encoder error, a call before begin(), a reset while a frame waits).
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { ChunkEncoderCore, encoderConfig } from '../../src/encode/chunk-encoder.ts';
import type { ChunkJob, VideoCodecs } from '../../src/types/mod.ts';
import { CodecFailureError, UnsupportedCodecError } from '../../src/errors.ts';
import { FakeVideoFrame } from '../lib/fake-frame.ts';

const job = (extra: Partial<ChunkJob> = {}): ChunkJob => ({
  codec: 'av01.0.04M.08', width: 64, height: 36, bitrate: 500_000, quantizer: null, frameRate: 30,
  colorSpace: { primaries: 'bt709', transfer: 'bt709', matrix: 'bt709', fullRange: false }, preferHardware: false, ...extra,
});
const frame = (i: number) => ({ data: new ArrayBuffer(64 * 36 * 3 / 2), timestamp: i * 33_333, duration: 33_333 });

let supported: (c: VideoEncoderConfig) => boolean;
let asked: VideoEncoderConfig[];
let encoders: FakeVideoEncoder[];
let frames: FakeVideoFrame[];
/** The encoder answers slowly enough for its queue to build up (one frame per timer tick). */
class FakeVideoEncoder extends EventTarget {
  static async isConfigSupported(config: VideoEncoderConfig) { asked.push(config); return { supported: supported(config), config }; }
  state: 'unconfigured' | 'configured' | 'closed' = 'unconfigured';
  config: VideoEncoderConfig | null = null;
  options: Array<VideoEncoderEncodeOptions | undefined> = [];
  queuedAtEncode: number[] = [];
  /** A stalled encoder outputs nothing and never fires 'dequeue'. */
  stalled = false;
  #queue: Array<{ timestamp: number; duration: number | null; key: boolean }> = [];
  #flush: Array<() => void> = [];
  constructor(readonly init: { output: (c: unknown) => void; error: (e: DOMException) => void }) { super(); encoders.push(this); }
  get encodeQueueSize() { return this.#queue.length; }
  configure(config: VideoEncoderConfig) { this.config = config; this.state = 'configured'; }
  encode(f: FakeVideoFrame, options?: VideoEncoderEncodeOptions) {
    assert.notEqual(f.format, null, 'the frame is open when encoded');
    this.queuedAtEncode.push(this.#queue.length);
    this.options.push(options);
    this.#queue.push({ timestamp: f.timestamp, duration: f.duration, key: options?.keyFrame === true });
    if (this.#queue.length === 1) this.#tick();
  }
  #tick() {
    setTimeout(() => {
      if (this.state !== 'configured' || this.stalled) return;
      const item = this.#queue.shift();
      if (item) {
        const bytes = Uint8Array.of(item.key ? 1 : 0, item.timestamp & 0xff);
        this.init.output({ type: item.key ? 'key' : 'delta', timestamp: item.timestamp, duration: item.duration, byteLength: 2, copyTo: (d: Uint8Array) => d.set(bytes) });
        this.dispatchEvent(new Event('dequeue'));
      }
      if (this.#queue.length > 0) this.#tick();
      else for (const f of this.#flush.splice(0)) f();
    }, 0);
  }
  flush() { return this.#queue.length === 0 ? Promise.resolve() : new Promise<void>((r) => this.#flush.push(r)); }
  close() { this.state = 'closed'; this.#queue = []; }
  fail(message: string) { this.state = 'closed'; this.init.error(new DOMException(message, 'EncodingError')); }
}

/** The fakes as a runtime's codecs, handed to each ChunkEncoderCore. */
let codecs: Pick<VideoCodecs, 'VideoEncoder' | 'VideoFrame'>;
beforeEach(() => {
  supported = () => true;
  asked = [];
  encoders = [];
  frames = [];
  class TrackedFrame extends FakeVideoFrame {
    constructor(data: ArrayBuffer, init: VideoFrameBufferInit) { super(data, init); frames.push(this); }
  }
  codecs = { VideoEncoder: FakeVideoEncoder, VideoFrame: TrackedFrame } as unknown as typeof codecs;
});

describe('encoderConfig', () => {
  it('bitrate mode: variable bitrate at the target; constant quality: quantizer mode, no bitrate', () => {
    assert.deepEqual(encoderConfig(job()), { codec: 'av01.0.04M.08', width: 64, height: 36, framerate: 30, latencyMode: 'quality', bitrate: 500_000, bitrateMode: 'variable' });
    assert.deepEqual(encoderConfig(job({ quantizer: 30 })), { codec: 'av01.0.04M.08', width: 64, height: 36, framerate: 30, latencyMode: 'quality', bitrateMode: 'quantizer' });
  });
});

describe('ChunkEncoderCore (fake VideoEncoder)', () => {
  it('encodes a chunk: key frame first, I420 frames of the job size, each closed; packets in order', async () => {
    const core = new ChunkEncoderCore(codecs);
    assert.deepEqual(await core.begin(job()), { hardware: false, encoder: 'webcodecs:software' });
    for (let i = 0; i < 12; i++) await core.add(frame(i));
    const out = await core.end();
    assert.deepEqual(out.packets.map((p) => [p.timestamp, p.key]), Array.from({ length: 12 }, (_, i) => [i * 33_333, i === 0]));
    assert.deepEqual([...out.packets[0]!.data], [1, 0]);
    const [enc] = encoders;
    assert.deepEqual(enc!.config, { ...encoderConfig(job()), hardwareAcceleration: 'prefer-software' });
    assert.deepEqual(enc!.options.map((o) => o?.keyFrame), [true, ...Array(11).fill(false)]);
    assert.equal(frames.length, 12);
    assert.ok(frames.every((f) => f.closed === 1), 'every VideoFrame is closed once');
    assert.deepEqual([frames[0]!.data!.byteLength, frames[3]!.timestamp], [64 * 36 * 3 / 2, 99_999]);
    assert.equal(enc!.state, 'closed', 'end() closes the encoder');
  });

  it('at most 4 frames wait in the encoder when the next is handed over', async () => {
    const core = new ChunkEncoderCore(codecs);
    await core.begin(job());
    for (let i = 0; i < 30; i++) await core.add(frame(i));
    await core.end();
    const q = encoders[0]!.queuedAtEncode;
    assert.ok(Math.max(...q) <= 4 && Math.max(...q) >= 3, `queued: ${q.join(',')}`);
  });

  it('constant quality: the quantizer rides on every frame', async () => {
    const core = new ChunkEncoderCore(codecs);
    await core.begin(job({ quantizer: 40 }));
    await core.add(frame(0));
    await core.add(frame(1));
    await core.end();
    assert.deepEqual(encoders[0]!.options, [{ keyFrame: true, av1: { quantizer: 40 } }, { keyFrame: false, av1: { quantizer: 40 } }]);
  });

  it('each chunk gets a fresh encoder and starts on a key frame', async () => {
    const core = new ChunkEncoderCore(codecs);
    for (let c = 0; c < 2; c++) {
      await core.begin(job());
      await core.add(frame(0));
      await core.add(frame(1));
      const out = await core.end();
      assert.deepEqual(out.packets.map((p) => p.key), [true, false]);
    }
    assert.equal(encoders.length, 2);
  });

  it('preferHardware: hardware when supported, software otherwise; each answer cached per size', async () => {
    const core = new ChunkEncoderCore(codecs);
    supported = (c) => c.hardwareAcceleration === 'prefer-hardware';
    assert.deepEqual(await core.begin(job({ preferHardware: true })), { hardware: true, encoder: 'webcodecs:hardware' });
    await core.begin(job({ preferHardware: true }));
    assert.equal(asked.length, 1, 'the second begin() asked nothing');
    supported = (c) => c.hardwareAcceleration === 'prefer-software';
    assert.deepEqual(await core.begin(job({ preferHardware: true, width: 32, height: 18 })), { hardware: false, encoder: 'webcodecs:software' });
    assert.deepEqual(asked.slice(1).map((c) => c.hardwareAcceleration), ['prefer-hardware', 'prefer-software']);
    core.reset();
  });

  it('no encoder for the size: UnsupportedCodecError naming codec and size', async () => {
    supported = () => false;
    await assert.rejects(new ChunkEncoderCore(codecs).begin(job()), (e: unknown) => e instanceof UnsupportedCodecError
      && e.message === 'Cannot encode av01.0.04M.08 at 64x36: no hardware or software encoder supports it');
  });

  it('add() or end() before begin(): CodecFailureError', async () => {
    const core = new ChunkEncoderCore(codecs);
    await assert.rejects(core.add(frame(0)), (e: unknown) => e instanceof CodecFailureError && /begin\(\) was not called/.test(e.message));
    await assert.rejects(core.end(), CodecFailureError);
  });

  it('an encoder error surfaces as CodecFailureError "Encoder failed: …" on the next call', async () => {
    const core = new ChunkEncoderCore(codecs);
    await core.begin(job());
    await core.add(frame(0));
    encoders[0]!.fail('out of memory');
    await assert.rejects(core.add(frame(1)), (e: unknown) => e instanceof CodecFailureError && e.message === 'Encoder failed: out of memory');
    assert.equal(frames[1]?.closed ?? 1, 1, 'a frame made before the failure showed is still closed');
  });

  it('reset() while add() waits for room: that add() rejects instead of hanging', async () => {
    const core = new ChunkEncoderCore(codecs);
    await core.begin(job());
    encoders[0]!.stalled = true;
    // add() is called one at a time (the lease awaits each); the fifth finds 5 queued and waits.
    for (let i = 0; i < 4; i++) await core.add(frame(i));
    let settled = false;
    const waiting = core.add(frame(4)).finally(() => { settled = true; });
    await new Promise((r) => setTimeout(r, 10));
    assert.equal(settled, false, 'the fifth add() waits for room');
    core.reset();
    await assert.rejects(waiting, (e: unknown) => e instanceof CodecFailureError && /Encoder was closed while a frame waited for room/.test(e.message));
    assert.equal(encoders[0]!.state, 'closed');
    assert.ok(frames.every((f) => f.closed === 1));
  });
});
