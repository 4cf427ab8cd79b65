// The AV1 bitstream module on real bitstreams: libaom and SVT-AV1 encodes made by Debian's ffmpeg
// at test time (checked against ffprobe and against the av1C ffmpeg writes), and a key chunk
// captured from Chromium's WebCodecs AV1 encoder.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  av1CodecStringFor, buildAv1C, codecString, codecStringLong, compareContract, contractFromSequenceHeader,
  findSequenceHeader, levelFor, parseAv1C, readLeb128, readObus, writeLeb128,
} from '../src/av1/mod.ts';
import { BitstreamError } from '../src/errors.ts';
import { findPaths } from '../src/mux/boxes.ts';
import { tempDir } from './lib/cli.ts';
import { ffprobe } from './lib/media.ts';

const dir = tempDir('av1');

interface Case {
  name: string;
  size: [number, number];
  args: string[];
  expect: { profile: number; bitDepth: number; mono: boolean; ssx: number; ssy: number; range: number; primaries?: number; transfer?: number; matrix?: number };
  probe: { profile: string; pix_fmt: string; color_range?: string };
}

const CASES: Case[] = [
  { name: 'libaom 8-bit 4:2:0', size: [640, 360], args: ['-c:v', 'libaom-av1', '-usage', 'realtime', '-cpu-used', '8'],
    expect: { profile: 0, bitDepth: 8, mono: false, ssx: 1, ssy: 1, range: 0 }, probe: { profile: 'Main', pix_fmt: 'yuv420p' } },
  { name: 'SVT-AV1 8-bit 4:2:0', size: [640, 360], args: ['-c:v', 'libsvtav1', '-preset', '12'],
    expect: { profile: 0, bitDepth: 8, mono: false, ssx: 1, ssy: 1, range: 0 }, probe: { profile: 'Main', pix_fmt: 'yuv420p' } },
  { name: 'SVT-AV1 10-bit 1080p', size: [1920, 1080], args: ['-c:v', 'libsvtav1', '-preset', '12', '-pix_fmt', 'yuv420p10le'],
    expect: { profile: 0, bitDepth: 10, mono: false, ssx: 1, ssy: 1, range: 0 }, probe: { profile: 'Main', pix_fmt: 'yuv420p10le' } },
  { name: 'libaom full range BT.709 colour description', size: [320, 240],
    args: ['-c:v', 'libaom-av1', '-usage', 'realtime', '-cpu-used', '8', '-color_range', 'pc', '-colorspace', 'bt709', '-color_primaries', 'bt709', '-color_trc', 'bt709'],
    expect: { profile: 0, bitDepth: 8, mono: false, ssx: 1, ssy: 1, range: 1, primaries: 1, transfer: 1, matrix: 1 }, probe: { profile: 'Main', pix_fmt: 'yuv420p', color_range: 'pc' } },
  { name: 'libaom 4:4:4 (High profile)', size: [320, 240], args: ['-c:v', 'libaom-av1', '-usage', 'realtime', '-cpu-used', '8', '-pix_fmt', 'yuv444p'],
    expect: { profile: 1, bitDepth: 8, mono: false, ssx: 0, ssy: 0, range: 0 }, probe: { profile: 'High', pix_fmt: 'yuv444p' } },
  { name: 'libaom monochrome', size: [320, 240], args: ['-c:v', 'libaom-av1', '-usage', 'realtime', '-cpu-used', '8', '-pix_fmt', 'gray'],
    expect: { profile: 0, bitDepth: 8, mono: true, ssx: 1, ssy: 1, range: 1 }, probe: { profile: 'Main', pix_fmt: 'gray', color_range: 'pc' } },
];

function encode(c: Case, ext: 'obu' | 'mp4'): string {
  const file = join(dir, `${c.name.replace(/\W+/g, '_')}.${ext}`);
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=size=${c.size[0]}x${c.size[1]}:rate=25`, '-frames:v', '3', ...c.args,
    ...(ext === 'obu' ? ['-f', 'obu'] : []), file]);
  return file;
}

describe('AV1 sequence headers from real encoders', () => {
  for (const c of CASES) {
    it(`${c.name}: parsed fields match the settings and ffprobe`, () => {
      const obu = new Uint8Array(readFileSync(encode(c, 'obu')));
      const found = findSequenceHeader(obu);
      assert.ok(found, 'a sequence header is found');
      const sh = found.header;
      const cc = sh.colorConfig;
      assert.equal(sh.seqProfile, c.expect.profile);
      assert.equal(cc.bitDepth, c.expect.bitDepth);
      assert.equal(cc.monoChrome, c.expect.mono);
      assert.equal(cc.subsamplingX, c.expect.ssx);
      assert.equal(cc.subsamplingY, c.expect.ssy);
      assert.equal(cc.colorRange, c.expect.range);
      if (c.expect.primaries !== undefined) {
        assert.equal(cc.colorDescriptionPresent, true);
        assert.deepEqual([cc.colorPrimaries, cc.transferCharacteristics, cc.matrixCoefficients], [c.expect.primaries, c.expect.transfer, c.expect.matrix]);
      }
      assert.equal(sh.maxFrameWidth, c.size[0]);
      assert.equal(sh.maxFrameHeight, c.size[1]);
      const p = ffprobe(join(dir, `${c.name.replace(/\W+/g, '_')}.obu`)).streams[0]!;
      assert.equal(p.profile, c.probe.profile);
      assert.equal(p.pix_fmt, c.probe.pix_fmt);
      assert.equal(p.width, c.size[0]);
      assert.equal(p.color_range ?? 'tv', c.probe.color_range ?? 'tv');
      // The first OBU of a temporal unit is the temporal delimiter.
      assert.equal([...readObus(obu)][0]?.type, 2);
    });

    it(`${c.name}: buildAv1C equals the av1C ffmpeg writes`, () => {
      const mp4 = new Uint8Array(readFileSync(encode(c, 'mp4')));
      const chain = findPaths(mp4, ['moov', 'trak', 'mdia', 'minf', 'stbl', 'stsd', 'av01', 'av1C'])[0];
      assert.ok(chain, 'ffmpeg wrote an av1C');
      const box = chain[chain.length - 1]!;
      const theirs = mp4.slice(box.start + box.header, box.end);
      const obu = new Uint8Array(readFileSync(join(dir, `${c.name.replace(/\W+/g, '_')}.obu`)));
      const ours = buildAv1C(findSequenceHeader(obu)!.obu);
      assert.deepEqual(Array.from(ours.subarray(0, 4)), Array.from(theirs.subarray(0, 4)), 'the four header bytes');
      const a = parseAv1C(ours);
      const b = parseAv1C(theirs);
      // SVT-AV1's out-of-band header (ffmpeg's extradata) differs from its in-band one in coding-tool
      // flags, so compare what av1C and the contract describe.
      const ha = findSequenceHeader(a.configOBUs)!.header;
      const hb = findSequenceHeader(b.configOBUs)!.header;
      assert.deepEqual(contractFromSequenceHeader(ha), contractFromSequenceHeader(hb), 'configOBUs describe the same contract');
      assert.deepEqual([ha.maxFrameWidth, ha.maxFrameHeight], [hb.maxFrameWidth, hb.maxFrameHeight]);
    });
  }

  it("Chromium's WebCodecs key chunk: profile 0, 8-bit 4:2:0, BT.709, level from its size", () => {
    const chunk = new Uint8Array(readFileSync(new URL('./fixtures/av1/chromium-keyframe.bin', import.meta.url)));
    const obus = [...readObus(chunk)];
    assert.deepEqual(obus.slice(0, 2).map((o) => o.type), [2, 1], 'temporal delimiter, then sequence header');
    const { header } = findSequenceHeader(chunk)!;
    const c = contractFromSequenceHeader(header);
    assert.deepEqual([c.profile, c.bitDepth, c.subsamplingX, c.subsamplingY, c.monochrome], [0, 8, 1, 1, false]);
    assert.deepEqual([header.maxFrameWidth, header.maxFrameHeight], [1280, 720]);
    assert.equal(c.level, levelFor(1280, 720, 25));
    assert.equal(codecString(c), 'av01.0.05M.08');
    assert.equal(codecStringLong(c), 'av01.0.05M.08.0.110.01.01.01.0');
  });
});

describe('AV1 contract, leb128, levels', () => {
  const fixture = new Uint8Array(readFileSync(new URL('./fixtures/av1/chromium-keyframe.bin', import.meta.url)));
  const base = contractFromSequenceHeader(findSequenceHeader(fixture)!.header);

  it('compareContract names the first field that differs', () => {
    assert.equal(compareContract(base, { ...base }), null);
    assert.deepEqual(compareContract(base, { ...base, colorRange: 1, level: 8 }), { field: 'level', expected: 5, actual: 8 });
    assert.deepEqual(compareContract(base, { ...base, matrixCoefficients: 6 }), { field: 'matrixCoefficients', expected: 1, actual: 6 });
  });

  it('leb128 round-trips and rejects truncation', () => {
    for (const v of [0, 1, 127, 128, 16383, 16384, 2 ** 32 - 1]) {
      const enc = writeLeb128(v);
      assert.deepEqual(readLeb128(enc, 0), { value: v, length: enc.length });
    }
    assert.throws(() => readLeb128(Uint8Array.from([0x80, 0x80]), 0), BitstreamError);
  });

  it('truncated OBUs and sequence headers throw BitstreamError', () => {
    const chunk = new Uint8Array(readFileSync(new URL('./fixtures/av1/chromium-keyframe.bin', import.meta.url)));
    assert.throws(() => [...readObus(chunk.subarray(0, 5))], BitstreamError);
    // A sequence header OBU whose payload is cut to 3 bytes (size field rewritten to match).
    const cut = Uint8Array.from([0x0a, 0x03, ...chunk.subarray(4, 7)]);
    assert.throws(() => findSequenceHeader(cut), /Cannot parse sequence header/);
  });

  it('levels follow Annex A', () => {
    assert.equal(av1CodecStringFor({ width: 1920, height: 1080, frameRate: 25 }), 'av01.0.08M.08');
    assert.equal(av1CodecStringFor({ width: 1920, height: 1080, frameRate: 60 }), 'av01.0.09M.08');
    assert.equal(av1CodecStringFor({ width: 1280, height: 720, frameRate: 30 }), 'av01.0.05M.08');
    assert.equal(av1CodecStringFor({ width: 640, height: 360, frameRate: 30 }), 'av01.0.01M.08');
    assert.equal(av1CodecStringFor({ width: 3840, height: 2160, frameRate: 30 }), 'av01.0.12M.08');
    assert.equal(levelFor(426, 240, 30), 0);
  });
});
