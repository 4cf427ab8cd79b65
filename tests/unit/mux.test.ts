// The mux stage (src/mux/) on hand-built boxes, no ffmpeg: ISOBMFF reading (largesize, size 0,
// padding, container child offsets, overruns) and writing (integers, fourccs, nested parts), the
// av1C patch on tiny hand-built moovs (every enclosing size, stco, tfhd and tfra offsets moved, the
// input left alone), temporal delimiter stripping, and the MP4 writer's checks and one small file.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildAv1C } from '../../src/av1/mod.ts';
import { BitstreamError, TranscodeError } from '../../src/errors.ts';
import { AV1C_PATH, replaceAv1C } from '../../src/mux/av1c-patch.ts';
import {
  box, children, concat, cstring, findPaths, fourcc, fullBox, i32, isContainer, payload, readBoxes, u16, u24, u32, u64, u8,
  UNITY_MATRIX, zeros,
} from '../../src/mux/isobmff.ts';
import { createMp4Writer, withoutTemporalDelimiters } from '../../src/mux/mp4.ts';
import { callbackTarget, MemoryTarget } from '../../src/mux/target.ts';
import { deltaTemporalUnit, keyTemporalUnit, sequenceHeaderObu } from '../lib/av1-obus.ts';

const bytes = (...b: number[]) => Uint8Array.from(b);
const ascii = (s: string) => Array.from(s, (c) => c.charCodeAt(0));
const dv = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);

describe('ISOBMFF writing', () => {
  it('big-endian integers, masked to their width', () => {
    assert.deepEqual(u8(0x1ff), bytes(0xff));
    assert.deepEqual(u16(0x12345), bytes(0x23, 0x45));
    assert.deepEqual(u24(0x123456), bytes(0x12, 0x34, 0x56));
    assert.deepEqual(u32(0xdeadbeef), bytes(0xde, 0xad, 0xbe, 0xef));
    assert.deepEqual(u32(-1), bytes(0xff, 0xff, 0xff, 0xff));
    assert.deepEqual(i32(-2), bytes(0xff, 0xff, 0xff, 0xfe));
    assert.deepEqual(u64(2 ** 40 + 5), bytes(0, 0, 1, 0, 0, 0, 0, 5));
    assert.deepEqual(u64(2n ** 63n), bytes(0x80, 0, 0, 0, 0, 0, 0, 0));
    assert.deepEqual(zeros(3), bytes(0, 0, 0));
  });

  it('fourccs are exactly four characters; cstrings are UTF-8 with a NUL', () => {
    assert.deepEqual(fourcc('av01'), bytes(...ascii('av01')));
    assert.throws(() => fourcc('abc'), TranscodeError);
    assert.throws(() => fourcc('abcde'), /not four characters/);
    assert.deepEqual(cstring('hé'), bytes(0x68, 0xc3, 0xa9, 0));
    assert.deepEqual(cstring(''), bytes(0));
  });

  it('concat flattens nested parts in order; box and fullBox prefix size and type', () => {
    assert.deepEqual(concat(bytes(1), [bytes(2), [bytes(3, 4)], []], bytes()), bytes(1, 2, 3, 4));
    assert.deepEqual(box('free'), bytes(0, 0, 0, 8, ...ascii('free')));
    assert.deepEqual(box('abcd', bytes(1), [bytes(2, 3)]), bytes(0, 0, 0, 11, ...ascii('abcd'), 1, 2, 3));
    assert.deepEqual(fullBox('test', 1, 0x010203, u8(9)), bytes(0, 0, 0, 13, ...ascii('test'), 1, 1, 2, 3, 9));
  });

  it('the unity matrix: 1.0 on the diagonal in 16.16, 2.30 for w', () => {
    assert.equal(UNITY_MATRIX.length, 36);
    const m = Array.from({ length: 9 }, (_, i) => dv(UNITY_MATRIX).getUint32(i * 4));
    assert.deepEqual(m, [0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000]);
  });
});

describe('ISOBMFF reading', () => {
  it('boxes laid end to end, with starts, header lengths and ends; fewer than 8 trailing bytes are padding', () => {
    const buf = concat(box('free', bytes(1, 2, 3)), box('skip'), zeros(7));
    assert.deepEqual(readBoxes(buf), [
      { type: 'free', start: 0, header: 8, end: 11 },
      { type: 'skip', start: 11, header: 8, end: 19 },
    ]);
    assert.deepEqual(payload(buf, readBoxes(buf)[0]!), bytes(1, 2, 3));
  });

  it('a 64-bit largesize box has a 16-byte header; size 0 runs to the end of the range', () => {
    const large = concat(u32(1), fourcc('wide'), u64(20), bytes(9, 8, 7, 6));
    assert.deepEqual(readBoxes(large), [{ type: 'wide', start: 0, header: 16, end: 20 }]);
    assert.deepEqual(payload(large, readBoxes(large)[0]!), bytes(9, 8, 7, 6));
    const open = concat(box('ftyp', bytes(0)), u32(0), fourcc('mdat'), bytes(1, 2, 3));
    assert.deepEqual(readBoxes(open)[1], { type: 'mdat', start: 9, header: 8, end: 20 });
  });

  it('a box that overruns its range, or is smaller than its header, is a BitstreamError', () => {
    assert.throws(() => readBoxes(concat(u32(100), fourcc('free'))), /Cannot read box at 0: size 100 exceeds its parent/);
    assert.throws(() => readBoxes(concat(u32(4), fourcc('free'))), BitstreamError);
    assert.throws(() => readBoxes(concat(box('skip'), u32(1), fourcc('wide'))), /box at 8: largesize past the end/);
    assert.throws(() => readBoxes(concat(u32(1), fourcc('wide'), u64(1000))), /largesize 1000 exceeds its parent/);
    // A range inside the buffer bounds the boxes, not the buffer's end.
    const buf = concat(box('free', zeros(8)), box('skip'));
    assert.throws(() => readBoxes(buf, 0, 12), /exceeds its parent/);
  });

  it('children skip each container’s fixed fields: none for moov, 8 for stsd, 78 for av01', () => {
    const av1C = box('av1C', bytes(0x81, 0, 0, 0));
    const stsd = fullBox('stsd', 0, 0, u32(1), box('av01', zeros(78), av1C));
    const file = box('moov', box('trak', box('mdia', box('minf', box('stbl', stsd)))));
    const [chain] = findPaths(file, [...AV1C_PATH]);
    assert.deepEqual(chain!.map((b) => b.type), ['moov', 'trak', 'mdia', 'minf', 'stbl', 'stsd', 'av01', 'av1C']);
    assert.deepEqual(payload(file, chain![7]!), bytes(0x81, 0, 0, 0));
    assert.equal(chain![6]!.start, 5 * 8 + 16, 'av01 after five container headers and stsd’s 16 bytes');
    assert.equal(isContainer('stbl'), true);
    assert.equal(isContainer('mdat'), false);
    assert.throws(() => children(file, { type: 'mdat', start: 0, header: 8, end: 8 }), /not a known container/);
    const short = box('av01', zeros(20));
    assert.throws(() => children(short, readBoxes(short)[0]!), /Cannot read children of av01 at 0: box too short/);
  });

  it('QuickTime sound entries: version 1 skips 16 more bytes, version 2 skips 36', () => {
    const entry = (version: number, extra: number) => box('mp4a', zeros(8), u16(version), zeros(18 + extra), box('esds', bytes(7)));
    for (const [version, extra] of [[0, 0], [1, 16], [2, 36]] as const) {
      const b = entry(version, extra);
      const kids = children(b, readBoxes(b)[0]!);
      assert.deepEqual(kids.map((k) => [k.type, k.start]), [['esds', 8 + 28 + extra]], `version ${version}`);
    }
  });

  it('findPaths returns every matching chain, outermost first, and nothing for a missing path', () => {
    const file = concat(box('moov', box('trak', box('edts')), box('trak', box('edts'))), box('mdat'));
    assert.equal(findPaths(file, ['moov', 'trak', 'edts']).length, 2);
    assert.deepEqual(findPaths(file, ['moov', 'mvex']), []);
    assert.deepEqual(findPaths(file, ['mdat']).map((c) => c.map((b) => b.start)), [[readBoxes(file)[0]!.end]]);
  });
});

/** moov with one AV1 trak per av1C payload, each with an stco of `offsets(trakIndex)`. */
function movie(av1cs: Uint8Array[], offsets: (trak: number) => number[]): Uint8Array {
  return box('moov', av1cs.map((p, i) => box('trak', box('mdia', box('minf', box('stbl',
    fullBox('stsd', 0, 0, u32(1), box('av01', zeros(78), box('av1C', p))),
    fullBox('stco', 0, 0, u32(offsets(i).length), offsets(i).map((o) => u32(o)))))))));
}

const EMPTY_AV1C = bytes(0x81, 0, 0, 0);
const REAL_AV1C = bytes(0x81, 0x08, 0x0c, 0x00, 0x0a, 0x01, 0x00); // 3 bytes longer

function stco(file: Uint8Array): number[][] {
  return findPaths(file, ['moov', 'trak', 'mdia', 'minf', 'stbl', 'stco']).map((c) => {
    const b = c.at(-1)!;
    const n = dv(file).getUint32(b.start + 12);
    return Array.from({ length: n }, (_, i) => dv(file).getUint32(b.start + 16 + i * 4));
  });
}

describe('replaceAv1C', () => {
  it('fast start (moov first): every enclosing box grows, and chunk offsets into the mdat move with it', () => {
    const data = bytes(0xaa, 0xbb, 0xcc, 0xdd);
    const ftyp = box('ftyp', fourcc('isom'), u32(0));
    // The moov's size does not depend on the offsets' values: lay it out once to find the mdat.
    const moovSize = movie([EMPTY_AV1C], () => [0, 0]).length;
    const mdatData = ftyp.length + moovSize + 8;
    const file = concat(ftyp, movie([EMPTY_AV1C], () => [mdatData, mdatData + 2]), box('mdat', data));
    const before = file.slice();
    const out = replaceAv1C(file, REAL_AV1C);
    assert.deepEqual(file, before, 'the input is not modified');
    assert.equal(out.length, file.length + 3);
    const [chain] = findPaths(out, AV1C_PATH);
    assert.deepEqual(payload(out, chain!.at(-1)!), REAL_AV1C);
    const [oldChain] = findPaths(file, AV1C_PATH);
    assert.deepEqual(chain!.map((b) => b.end - b.start), oldChain!.map((b) => b.end - b.start + 3), 'moov … av1C each 3 bytes larger');
    const [offsets] = stco(out);
    assert.deepEqual(offsets, [mdatData + 3, mdatData + 5]);
    assert.deepEqual(out.subarray(offsets![0]!, offsets![0]! + 4), data);
  });

  it('offsets before the av1C (mdat first) stay; the same length is a plain copy', () => {
    const ftyp = box('ftyp', fourcc('isom'), u32(0));
    const mdat = box('mdat', bytes(1, 2));
    const file = concat(ftyp, mdat, movie([EMPTY_AV1C], () => [ftyp.length + 8]));
    const out = replaceAv1C(file, REAL_AV1C);
    assert.deepEqual(stco(out), [[ftyp.length + 8]]);
    const same = replaceAv1C(file, bytes(0x81, 1, 2, 3));
    assert.equal(same.length, file.length);
    assert.notEqual(same.buffer, file.buffer);
    assert.deepEqual(payload(same, findPaths(same, AV1C_PATH)[0]!.at(-1)!), bytes(0x81, 1, 2, 3));
  });

  it('two AV1 tracks: both patched; offsets past both av1Cs move twice', () => {
    const ftyp = box('ftyp', fourcc('isom'), u32(0));
    const moovSize = movie([EMPTY_AV1C, EMPTY_AV1C], () => [0]).length;
    const at = ftyp.length + moovSize + 8;
    const file = concat(ftyp, movie([EMPTY_AV1C, EMPTY_AV1C], (t) => [at + t]), box('mdat', bytes(5, 6)));
    const out = replaceAv1C(file, REAL_AV1C);
    assert.deepEqual(findPaths(out, AV1C_PATH).map((c) => Array.from(payload(out, c.at(-1)!))), [Array.from(REAL_AV1C), Array.from(REAL_AV1C)]);
    assert.deepEqual(stco(out), [[at + 6], [at + 7]]);
    assert.equal(readBoxes(out).at(-1)!.type, 'mdat', 'the walker still reaches the end');
  });

  it('fragments: a tfhd base_data_offset and tfra moof offsets (v0 and v1) past the av1C move', () => {
    const init = concat(box('ftyp', fourcc('iso6'), u32(0)), movie([EMPTY_AV1C], () => []));
    const moofAt = init.length;
    // tfhd flags 1: base-data-offset present (64-bit).
    const moof = box('moof', box('traf', fullBox('tfhd', 0, 1, u32(1), u64(moofAt))));
    // tfra: track_ID, length sizes 0 (1-byte traf/trun/sample numbers), count, then entries.
    const tfra = (v: 0 | 1) => fullBox('tfra', v, 0, u32(1), u32(0), u32(1),
      v === 1 ? [u64(0), u64(moofAt)] : [u32(0), u32(moofAt)], u8(1), u8(1), u8(1));
    const file = concat(init, moof, box('mfra', tfra(0), tfra(1)));
    const out = replaceAv1C(file, REAL_AV1C);
    const [tfhd] = findPaths(out, ['moof', 'traf', 'tfhd']);
    assert.equal(dv(out).getBigUint64(tfhd!.at(-1)!.start + 16), BigInt(moofAt + 3));
    const [v0, v1] = findPaths(out, ['mfra', 'tfra']).map((c) => c.at(-1)!.start);
    assert.equal(dv(out).getUint32(v0! + 24 + 4), moofAt + 3);
    assert.equal(dv(out).getBigUint64(v1! + 24 + 8), BigInt(moofAt + 3));
    assert.equal(readBoxes(out).find((b) => b.type === 'moof')!.start, moofAt + 3);
  });

  it('refusals: not an av1C record, no av01 entry, an stco that lists more than it holds', () => {
    const file = concat(movie([EMPTY_AV1C], () => [1]));
    assert.throws(() => replaceAv1C(file, bytes(0x81, 0, 0)), /not an AV1CodecConfigurationRecord \(3 bytes, first byte 129/);
    assert.throws(() => replaceAv1C(file, bytes(0x01, 0, 0, 0)), BitstreamError);
    assert.throws(() => replaceAv1C(box('moov', box('trak')), REAL_AV1C), /no av01 sample entry with an av1C box/);
    const lying = box('moov', box('trak', box('mdia', box('minf', box('stbl',
      fullBox('stsd', 0, 0, u32(1), box('av01', zeros(78), box('av1C', EMPTY_AV1C))),
      fullBox('stco', 0, 0, u32(5), u32(0)))))));
    assert.throws(() => replaceAv1C(lying, REAL_AV1C), /stco at \d+ lists 5 entries but has room for fewer/);
  });
});

describe('withoutTemporalDelimiters', () => {
  it('drops leading temporal delimiters only, as a view', () => {
    const frame = bytes(0x32, 1, 0x77);
    const tu = bytes(0x12, 0x00, 0x12, 0x00, ...frame, 0x12, 0x00);
    assert.deepEqual(withoutTemporalDelimiters(tu), bytes(...frame, 0x12, 0x00));
    assert.equal(withoutTemporalDelimiters(frame), frame, 'unchanged input is returned as is');
  });
});

describe('createMp4Writer', () => {
  const fields = { width: 64, height: 48, level: 0 };

  it('refuses bad rates, timescales, a non-key first frame, backwards time and late samples', () => {
    assert.throws(() => createMp4Writer({ width: 64, height: 48, frameRate: 0 }), /frame rate 0/);
    assert.throws(() => createMp4Writer({ width: 64, height: 48, frameRate: 25, timescale: 1.5 }), /timescale 1\.5/);
    const w = createMp4Writer({ width: 64, height: 48, frameRate: 25 });
    assert.throws(() => w.addVideo(deltaTemporalUnit(), 0, 40_000, false), /first sample must be a key frame/);
    assert.throws(() => w.addAudio(bytes(1), 0, 1), /created without audio/);
    assert.throws(() => w.finalize(buildAv1C(sequenceHeaderObu(fields))), /no video samples/);
    w.addVideo(keyTemporalUnit(fields), 40_000, 40_000, true);
    assert.throws(() => w.addVideo(deltaTemporalUnit(), 0, 40_000, false), /timestamp 0 µs is before the previous 40000 µs/);
    assert.throws(() => w.addVideo(deltaTemporalUnit(), 80_000, -1, false), /duration -1/);
  });

  it('a three-frame file: the real av1C patched in, samples without delimiters at their chunk offsets, a 90 kHz track', () => {
    const w = createMp4Writer({ width: 64, height: 48, frameRate: 25 });
    const key = keyTemporalUnit(fields);
    w.addVideo(key, 0, 40_000, true);
    w.addVideo(deltaTemporalUnit([0x30, 1]), 40_000, 40_000, false);
    w.addVideo(deltaTemporalUnit([0x30, 2]), 80_000, 40_000, false);
    const av1c = buildAv1C(sequenceHeaderObu(fields));
    const mp4 = w.finalize(av1c);
    assert.throws(() => w.finalize(av1c), /already finalized/);
    assert.throws(() => w.addVideo(key, 120_000, 40_000, true), /already finalized/);
    const [chain] = findPaths(mp4, AV1C_PATH);
    assert.deepEqual(payload(mp4, chain!.at(-1)!), av1c);
    const [mdhd] = findPaths(mp4, ['moov', 'trak', 'mdia']).map((c) => readBoxes(mp4, c.at(-1)!.start + 8, c.at(-1)!.end).find((b) => b.type === 'mdhd')!);
    assert.equal(dv(mp4).getUint32(mdhd!.start + 20), 90_000, '25 fps frames are whole ticks of 90 kHz');
    // The first chunk offset points at the first sample: the key frame without its delimiter.
    const first = stco(mp4)[0]![0]!;
    const sample = withoutTemporalDelimiters(key);
    assert.deepEqual(mp4.subarray(first, first + sample.length), sample);
  });
});

describe('output targets', () => {
  it('MemoryTarget keeps the last bytes per path; callbackTarget forwards each file', async () => {
    const m = new MemoryTarget();
    m.write('a/b', bytes(1));
    m.write('a/b', bytes(2));
    assert.deepEqual([...m.files], [['a/b', bytes(2)]]);
    const seen: string[] = [];
    await callbackTarget((p, b) => { seen.push(`${p}:${b.length}`); }).write('x', bytes(1, 2));
    assert.deepEqual(seen, ['x:2']);
  });
});
