// The demux stage (src/demux/demux.ts) on in-memory inputs, no media files: toBytes over buffer
// sources, the typed errors for empty, random, truncated, video-less and unsupported inputs, and a
// four-frame AV1 MP4 built here (src/mux's writer over hand-written OBUs) read back through a
// buffer and a counting RangeReader: source facts, packets, the packet index, seeking to a key frame.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ArrayBufferTarget, Muxer } from 'mp4-muxer';
import { buildAv1C } from '../../src/av1/mod.ts';
import { openInput, toBytes } from '../../src/demux/demux.ts';
import { CorruptInputError, NoVideoTrackError } from '../../src/errors.ts';
import { createMp4Writer, withoutTemporalDelimiters } from '../../src/mux/mp4.ts';
import type { InputSource, RangeReader } from '../../src/types/mod.ts';
import { deltaTemporalUnit, keyTemporalUnit, sequenceHeaderObu } from '../lib/av1-obus.ts';

const fields = { width: 64, height: 48, level: 0 };
// 25 fps, key frames at 0 and 80 ms: two GOPs of two frames.
const TUS = [keyTemporalUnit(fields), deltaTemporalUnit([0x30, 1]), keyTemporalUnit(fields, [0x10, 9]), deltaTemporalUnit([0x30, 2])];

function av1Mp4(): Uint8Array {
  const w = createMp4Writer({ width: 64, height: 48, frameRate: 25 });
  TUS.forEach((tu, i) => w.addVideo(tu, i * 40_000, 40_000, i % 2 === 0));
  return w.finalize(buildAv1C(sequenceHeaderObu(fields)));
}

function reader(bytes: Uint8Array): RangeReader & { reads: Array<[number, number]>; closes: number } {
  const r = {
    size: bytes.length,
    reads: [] as Array<[number, number]>,
    closes: 0,
    read: async (start: number, end: number) => { r.reads.push([start, end]); return bytes.slice(start, end); },
    close: () => { r.closes++; },
  };
  return r;
}

const isError = (type: new (...a: never[]) => Error, message: RegExp) => (e: unknown) => e instanceof type && message.test(e.message);

describe('toBytes', () => {
  it('gives a byte view of any buffer source without copying', () => {
    assert.equal(toBytes(undefined), undefined);
    const u8 = Uint8Array.from([1, 2, 3]);
    assert.equal(toBytes(u8), u8);
    const buf = Uint8Array.from([0, 1, 2, 3, 4, 5, 6, 7]).buffer;
    const view = toBytes(new DataView(buf, 2, 3))!;
    assert.deepEqual([view.byteOffset, view.byteLength, view.buffer === buf], [2, 3, true]);
    assert.deepEqual(view, Uint8Array.from([2, 3, 4]));
    assert.deepEqual(toBytes(buf), Uint8Array.from([0, 1, 2, 3, 4, 5, 6, 7]));
    const i16 = toBytes(new Int16Array([1, -1]))!;
    assert.equal(i16.length, 4);
    assert.deepEqual(Array.from(i16.subarray(2)), [0xff, 0xff]);
  });
});

describe('openInput refusals', () => {
  it('empty inputs of every sized kind are CorruptInputErrors; an empty RangeReader is closed', async () => {
    const empty = /Cannot read input: it is empty \(0 bytes\)/;
    for (const input of [new Uint8Array(0), new ArrayBuffer(0), new Blob([])] as InputSource[]) {
      await assert.rejects(openInput(input), isError(CorruptInputError, empty));
    }
    const r = reader(new Uint8Array(0));
    await assert.rejects(openInput(r), isError(CorruptInputError, empty));
    assert.deepEqual([r.closes, r.reads.length], [1, 0]);
  });

  it('bytes that are no container are a CorruptInputError, also behind a Blob', async () => {
    const noise = Uint8Array.from({ length: 1000 }, (_, i) => (i * 7919 + 13) & 0xff);
    await assert.rejects(openInput(noise), isError(CorruptInputError, /not a recognised media container/));
    await assert.rejects(openInput(new Blob([noise])), CorruptInputError);
    await assert.rejects(openInput(new TextEncoder().encode('#EXTM3U\nnot really\n')), CorruptInputError);
  });

  it('a value that is no input kind is a TypeError, as is a reader whose size is not a whole number', async () => {
    await assert.rejects(openInput(42 as unknown as InputSource), TypeError);
    const bad = { size: 1.5, read: async () => new Uint8Array(0) } as unknown as InputSource;
    await assert.rejects(openInput(bad), /must be a Blob, ArrayBuffer/);
  });

  it('an MP4 cut inside its last GOP is a CorruptInputError before any packet is read', async () => {
    const mp4 = av1Mp4();
    await assert.rejects(openInput(mp4.subarray(0, mp4.length - 2)),
      isError(CorruptInputError, /Input is truncated: the container lists 4 video frames but only 1 of the 2 in its last GOP can be read/));
  });

  // Mediabunny reads a file cut inside its moov as one without tracks; the engine says it is truncated.
  it('an MP4 cut inside its moov is a CorruptInputError naming the cut box, not "no video track"', async () => {
    const mp4 = av1Mp4();
    for (const n of [40, 200]) {
      await assert.rejects(openInput(mp4.subarray(0, n)), (e: unknown) => e instanceof CorruptInputError
        && /^Input is truncated: its moov box at byte \d+ is \d+ bytes, but the file ends \d+ bytes into it$/.test(e.message), `cut to ${n} bytes`);
      await assert.rejects(openInput(new Blob([mp4.slice(0, n)])), CorruptInputError, `a Blob cut to ${n} bytes`);
    }
  });

  it('an MP4 with only an audio track is a NoVideoTrackError naming the container', async () => {
    const target = new ArrayBufferTarget();
    const muxer = new Muxer({ target, audio: { codec: 'aac', numberOfChannels: 2, sampleRate: 48000 }, fastStart: 'in-memory' });
    const meta = { decoderConfig: { codec: 'mp4a.40.2', sampleRate: 48000, numberOfChannels: 2, description: Uint8Array.from([0x11, 0x90]) } };
    for (let i = 0; i < 3; i++) muxer.addAudioChunkRaw(Uint8Array.from([0x21, 0x10, i]), 'key', i * 21_333, 21_333, i === 0 ? meta : undefined);
    muxer.finalize();
    await assert.rejects(openInput(new Uint8Array(target.buffer)), isError(NoVideoTrackError, /Input has no video track \(container: MP4\)/));
  });
});

describe('openInput on a four-frame AV1 MP4', () => {
  it('source facts: size, rate, frame count, duration, the exact 90 kHz timescale, no audio', async () => {
    const d = await openInput(av1Mp4());
    try {
      const i = d.info;
      assert.deepEqual(
        [i.container, i.codec, i.codedWidth, i.codedHeight, i.displayWidth, i.displayHeight, i.rotation],
        ['MP4', 'av1', 64, 48, 64, 48, 0],
      );
      assert.deepEqual([i.frameRate, i.frameCount, i.durationSeconds, i.timescale, i.audio, i.notices], [25, 4, 0.16, 90_000, null, []]);
      assert.deepEqual(i.pixelAspectRatio, { num: 1, den: 1 });
      // seq_level_idx 0, Main tier, 8-bit: from the av1C the writer patched in.
      assert.equal(d.decoderConfig.codec, 'av01.0.00M.08');
      assert.deepEqual([d.decoderConfig.codedWidth, d.decoderConfig.codedHeight], [64, 48]);
      assert.equal(await d.readAudio(), null);
    } finally {
      d.close();
    }
  });

  it('packets in decode order: samples without temporal delimiters, key flags, whole-µs times', async () => {
    const d = await openInput(av1Mp4());
    const got = [];
    for await (const p of d.packets()) got.push(p);
    d.close();
    assert.deepEqual(got.map((p) => [p.key, p.timestamp, p.duration]), [[true, 0, 40_000], [false, 40_000, 40_000], [true, 80_000, 40_000], [false, 120_000, 40_000]]);
    got.forEach((p, i) => assert.deepEqual(p.data, withoutTemporalDelimiters(TUS[i]!), `packet ${i}`));
  });

  it('the packet index matches without data; packets(fromUs) starts at the key frame at or before it', async () => {
    const d = await openInput(av1Mp4());
    assert.deepEqual(await d.packetIndex(), [
      { key: true, timestamp: 0, duration: 40_000 }, { key: false, timestamp: 40_000, duration: 40_000 },
      { key: true, timestamp: 80_000, duration: 40_000 }, { key: false, timestamp: 120_000, duration: 40_000 },
    ]);
    const from = async (us: number) => { const t = []; for await (const p of d.packets(us)) t.push(p.timestamp); return t; };
    assert.deepEqual(await from(90_000), [80_000, 120_000]);
    assert.deepEqual(await from(80_000), [80_000, 120_000]);
    assert.deepEqual(await from(79_999), [0, 40_000, 80_000, 120_000]);
    d.close();
  });

  it('through a RangeReader: reads stay inside the source, the data is the same, close() closes it once', async () => {
    const mp4 = av1Mp4();
    const r = reader(mp4);
    const d = await openInput(r);
    const data = [];
    for await (const p of d.packets()) data.push(p.data);
    assert.deepEqual(data, TUS.map((t) => withoutTemporalDelimiters(t)));
    assert.ok(r.reads.length > 0);
    assert.ok(r.reads.every(([s, e]) => s >= 0 && s < e && e <= mp4.length), JSON.stringify(r.reads));
    assert.equal(r.closes, 0);
    d.close();
    assert.equal(r.closes, 1);
  });

  it('the same file from an ArrayBuffer and a Blob', async () => {
    const mp4 = av1Mp4();
    for (const input of [mp4.slice().buffer, new Blob([mp4.slice()])] as InputSource[]) {
      const d = await openInput(input);
      assert.equal(d.info.frameCount, 4);
      d.close();
    }
  });
});
