// The AV1 bitstream module against real bitstreams that Debian's ffmpeg encodes at test time
// (libaom, SVT-AV1, rav1e), checked against the settings, ffprobe, ffmpeg's own header trace and
// the av1C ffmpeg writes; plus leb128, truncation, contracts, levels and the Chromium fixture.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  av1CodecStringFor, buildAv1C, codecString, codecStringLong, compareContract, contractFromSequenceHeader,
  CONTRACT_FIELDS, findSequenceHeader, LEVELS, levelFor, levelName, parseAv1C, parseSequenceHeaderObu, readLeb128,
  readObus, writeLeb128,
} from '../src/av1/mod.ts';
import type { Av1Contract, SequenceHeader } from '../src/av1/mod.ts';
import { BitstreamError } from '../src/errors.ts';

const dir = mkdtempSync(join(tmpdir(), 'av1-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

interface Case {
  name: string;
  size: [number, number];
  args: string[];
  /** What the settings imply. colour null: no colour description, so 2/2/2 (unspecified). */
  expect: { profile: number; bitDepth: number; mono: boolean; ssx: number; ssy: number; csp: number; range: number; colour: [number, number, number] | null };
  /** The codecs string after "av01.P.LL" + tier; the level comes from ffprobe. */
  codecTail: string;
  more?: (sh: SequenceHeader) => void;
}

const AOM = ['-c:v', 'libaom-av1', '-usage', 'realtime', '-cpu-used', '8'];
const SVT = ['-c:v', 'libsvtav1', '-preset', '12'];
const BT709 = ['-colorspace', 'bt709', '-color_primaries', 'bt709', '-color_trc', 'bt709'];
const std = { profile: 0, bitDepth: 8, mono: false, ssx: 1, ssy: 1, csp: 0, range: 0, colour: null };

const CASES: Case[] = [
  { name: 'aom-420', size: [640, 360], args: AOM, expect: std, codecTail: 'M.08' },
  { name: 'svt-420', size: [640, 360], args: SVT, expect: std, codecTail: 'M.08' },
  { name: 'aom-10bit', size: [640, 360], args: [...AOM, '-pix_fmt', 'yuv420p10le'], expect: { ...std, bitDepth: 10 }, codecTail: 'M.10' },
  { name: 'svt-10bit-1080p', size: [1920, 1080], args: [...SVT, '-pix_fmt', 'yuv420p10le'], expect: { ...std, bitDepth: 10 }, codecTail: 'M.10' },
  { name: 'aom-1080p', size: [1920, 1080], args: AOM, expect: std, codecTail: 'M.08' },
  { name: 'aom-full-bt709', size: [320, 240], args: [...AOM, '-color_range', 'pc', ...BT709],
    expect: { ...std, range: 1, colour: [1, 1, 1] }, codecTail: 'M.08.0.110.01.01.01.1' },
  { name: 'svt-full-bt709', size: [320, 240], args: [...SVT, '-color_range', 'pc', ...BT709],
    expect: { ...std, range: 1, colour: [1, 1, 1] }, codecTail: 'M.08.0.110.01.01.01.1' },
  { name: 'aom-bt601', size: [320, 240], args: [...AOM, '-colorspace', 'smpte170m', '-color_primaries', 'smpte170m', '-color_trc', 'smpte170m'],
    expect: { ...std, colour: [6, 6, 6] }, codecTail: 'M.08.0.110.06.06.06.0' },
  { name: 'aom-444', size: [320, 240], args: [...AOM, '-pix_fmt', 'yuv444p'], expect: { ...std, profile: 1, ssx: 0, ssy: 0 }, codecTail: 'M.08.0.000.02.02.02.0' },
  { name: 'aom-422', size: [320, 240], args: [...AOM, '-pix_fmt', 'yuv422p'], expect: { ...std, profile: 2, ssy: 0 }, codecTail: 'M.08.0.100.02.02.02.0' },
  { name: 'aom-12bit', size: [320, 240], args: [...AOM, '-pix_fmt', 'yuv420p12le'], expect: { ...std, profile: 2, bitDepth: 12 }, codecTail: 'M.12' },
  { name: 'aom-mono', size: [320, 240], args: [...AOM, '-pix_fmt', 'gray'], expect: { ...std, mono: true, range: 1 }, codecTail: 'M.08.1.110.02.02.02.1' },
  { name: 'aom-csp-vertical', size: [320, 240], args: [...AOM, '-aom-params', 'chroma-sample-position=vertical'], expect: { ...std, csp: 1 }, codecTail: 'M.08.0.111.02.02.02.0' },
  { name: 'svt-csp-colocated', size: [320, 240], args: [...SVT, '-svtav1-params', 'chroma-sample-position=topleft'], expect: { ...std, csp: 2 }, codecTail: 'M.08.0.112.02.02.02.0' },
  { name: 'aom-decoder-model', size: [320, 240], args: [...AOM, '-aom-params', 'timing-info=model'], expect: std, codecTail: 'M.08',
    more: (sh) => {
      assert.deepEqual(sh.timingInfo, { numUnitsInDisplayTick: 1, timeScale: 30, equalPictureInterval: false, numTicksPerPicture: null });
      assert.ok(sh.decoderModelInfo && sh.initialDisplayDelayPresent && sh.operatingPoints[0]?.operatingParameters);
    } },
  { name: 'aom-timing-constant', size: [320, 240], args: [...AOM, '-aom-params', 'timing-info=constant'], expect: std, codecTail: 'M.08',
    more: (sh) => {
      assert.deepEqual(sh.timingInfo, { numUnitsInDisplayTick: 1, timeScale: 30, equalPictureInterval: true, numTicksPerPicture: 1 });
      assert.equal(sh.decoderModelInfo, null);
    } },
  { name: 'aom-error-resilient', size: [320, 240], args: [...AOM, '-aom-params', 'error-resilient=1'], expect: std, codecTail: 'M.08',
    more: (sh) => assert.ok(sh.frameIdNumbersPresent && sh.frameIdNumbers) },
  { name: 'aom-sb128-grain', size: [320, 240], args: [...AOM, '-aom-params', 'sb-size=128:film-grain-test=1'], expect: std, codecTail: 'M.08',
    more: (sh) => assert.deepEqual([sh.use128x128Superblock, sh.filmGrainParamsPresent], [true, true]) },
  // rav1e codes an explicit 2/2/2 colour description, level 31 (so seq_tier is coded) and
  // seq_force_screen_content_tools = 0, none of which libaom or SVT-AV1 do.
  { name: 'rav1e', size: [320, 240], args: ['-c:v', 'librav1e', '-speed', '10'], expect: { ...std, colour: [2, 2, 2] }, codecTail: 'M.08',
    more: (sh) => assert.deepEqual([sh.colorConfig.colorDescriptionPresent, sh.operatingPoints[0]?.seqLevelIdx, sh.seqForceScreenContentTools], [true, 31, 0]) },
];

const files = new Map<string, string>();
function encoded(c: Case): string {
  const cached = files.get(c.name);
  if (cached) return cached;
  const file = join(dir, `${c.name}.obu`);
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=size=${c.size[0]}x${c.size[1]}:rate=30`,
    '-frames:v', '10', ...c.args, '-f', 'obu', file], { stdio: ['ignore', 'ignore', 'pipe'] });
  files.set(c.name, file);
  return file;
}
const bytes = (file: string | URL): Uint8Array => new Uint8Array(readFileSync(file));

type Probe = Record<string, string | number | undefined>;
function ffprobe(file: string): Probe {
  const out = execFileSync('ffprobe', ['-v', 'error', '-count_packets', '-show_streams', '-of', 'json', file], { encoding: 'utf8' });
  const s = (JSON.parse(out) as { streams: Probe[] }).streams[0];
  assert.ok(s, `ffprobe found a stream in ${file}`);
  return s;
}

/** ffmpeg's own reading of the first sequence header (libavcodec's cbs_av1, via trace_headers): [name, value]. */
function ffmpegTrace(file: string): Array<[string, number]> {
  const r = spawnSync('ffmpeg', ['-hide_banner', '-i', file, '-frames:v', '1', '-c', 'copy', '-bsf:v', 'trace_headers', '-f', 'null', '-'], { encoding: 'utf8' });
  const lines = r.stderr.split('\n');
  const start = lines.findIndex((l) => l.endsWith('] Sequence Header'));
  assert.ok(start >= 0, 'ffmpeg traced a sequence header');
  const out: Array<[string, number]> = [];
  for (const l of lines.slice(start + 1)) {
    const m = /\]\s+\d+\s+(\S+)\s.*=\s*(\d+)\s*$/.exec(l);
    if (!m || m[1] === 'trailing_one_bit') break;
    out.push([m[1]!, Number(m[2])]);
  }
  return out;
}

const ops = (sh: SequenceHeader, i: number) => {
  const op = sh.operatingPoints[i];
  assert.ok(op, `operating point ${i}`);
  return op;
};
/** Each syntax element's name in the spec → its value as our parse implies it. */
const TRACE: Record<string, (sh: SequenceHeader, i: number) => number | boolean> = {
  seq_profile: (sh) => sh.seqProfile, still_picture: (sh) => sh.stillPicture, reduced_still_picture_header: (sh) => sh.reducedStillPictureHeader,
  timing_info_present_flag: (sh) => sh.timingInfoPresent, num_units_in_display_tick: (sh) => sh.timingInfo!.numUnitsInDisplayTick,
  time_scale: (sh) => sh.timingInfo!.timeScale, equal_picture_interval: (sh) => sh.timingInfo!.equalPictureInterval,
  num_ticks_per_picture_minus_1: (sh) => sh.timingInfo!.numTicksPerPicture! - 1,
  decoder_model_info_present_flag: (sh) => sh.decoderModelInfoPresent, buffer_delay_length_minus_1: (sh) => sh.decoderModelInfo!.bufferDelayLengthMinus1,
  num_units_in_decoding_tick: (sh) => sh.decoderModelInfo!.numUnitsInDecodingTick,
  buffer_removal_time_length_minus_1: (sh) => sh.decoderModelInfo!.bufferRemovalTimeLengthMinus1,
  frame_presentation_time_length_minus_1: (sh) => sh.decoderModelInfo!.framePresentationTimeLengthMinus1,
  initial_display_delay_present_flag: (sh) => sh.initialDisplayDelayPresent, operating_points_cnt_minus_1: (sh) => sh.operatingPoints.length - 1,
  operating_point_idc: (sh, i) => ops(sh, i).idc, seq_level_idx: (sh, i) => ops(sh, i).seqLevelIdx, seq_tier: (sh, i) => ops(sh, i).seqTier,
  decoder_model_present_for_this_op: (sh, i) => ops(sh, i).operatingParameters !== null,
  decoder_buffer_delay: (sh, i) => ops(sh, i).operatingParameters!.decoderBufferDelay,
  encoder_buffer_delay: (sh, i) => ops(sh, i).operatingParameters!.encoderBufferDelay,
  low_delay_mode_flag: (sh, i) => ops(sh, i).operatingParameters!.lowDelayMode,
  initial_display_delay_present_for_this_op: (sh, i) => ops(sh, i).initialDisplayDelay !== null,
  initial_display_delay_minus_1: (sh, i) => ops(sh, i).initialDisplayDelay! - 1,
  frame_width_bits_minus_1: (sh) => sh.frameWidthBits - 1, frame_height_bits_minus_1: (sh) => sh.frameHeightBits - 1,
  max_frame_width_minus_1: (sh) => sh.maxFrameWidth - 1, max_frame_height_minus_1: (sh) => sh.maxFrameHeight - 1,
  frame_id_numbers_present_flag: (sh) => sh.frameIdNumbersPresent, delta_frame_id_length_minus_2: (sh) => sh.frameIdNumbers!.deltaFrameIdLengthMinus2,
  additional_frame_id_length_minus_1: (sh) => sh.frameIdNumbers!.additionalFrameIdLengthMinus1,
  use_128x128_superblock: (sh) => sh.use128x128Superblock, enable_filter_intra: (sh) => sh.enableFilterIntra,
  enable_intra_edge_filter: (sh) => sh.enableIntraEdgeFilter, enable_interintra_compound: (sh) => sh.enableInterintraCompound,
  enable_masked_compound: (sh) => sh.enableMaskedCompound, enable_warped_motion: (sh) => sh.enableWarpedMotion,
  enable_dual_filter: (sh) => sh.enableDualFilter, enable_order_hint: (sh) => sh.enableOrderHint, enable_jnt_comp: (sh) => sh.enableJntComp,
  enable_ref_frame_mvs: (sh) => sh.enableRefFrameMvs, seq_choose_screen_content_tools: (sh) => sh.seqForceScreenContentTools === 2,
  seq_force_screen_content_tools: (sh) => sh.seqForceScreenContentTools, seq_choose_integer_mv: (sh) => sh.seqForceIntegerMv === 2,
  seq_force_integer_mv: (sh) => sh.seqForceIntegerMv, order_hint_bits_minus_1: (sh) => sh.orderHintBits - 1,
  enable_superres: (sh) => sh.enableSuperres, enable_cdef: (sh) => sh.enableCdef, enable_restoration: (sh) => sh.enableRestoration,
  high_bitdepth: (sh) => sh.colorConfig.highBitdepth, twelve_bit: (sh) => sh.colorConfig.twelveBit, mono_chrome: (sh) => sh.colorConfig.monoChrome,
  color_description_present_flag: (sh) => sh.colorConfig.colorDescriptionPresent, color_primaries: (sh) => sh.colorConfig.colorPrimaries,
  transfer_characteristics: (sh) => sh.colorConfig.transferCharacteristics, matrix_coefficients: (sh) => sh.colorConfig.matrixCoefficients,
  color_range: (sh) => sh.colorConfig.colorRange, subsampling_x: (sh) => sh.colorConfig.subsamplingX, subsampling_y: (sh) => sh.colorConfig.subsamplingY,
  chroma_sample_position: (sh) => sh.colorConfig.chromaSamplePosition, separate_uv_delta_q: (sh) => sh.colorConfig.separateUvDeltaQ,
  film_grain_params_present: (sh) => sh.filmGrainParamsPresent,
};

/** The av1C payload of an MP4's first sample entry, by a walk down moov/trak/mdia/minf/stbl/stsd/av01. */
function av1cOf(mp4: Uint8Array): Uint8Array {
  const dv = new DataView(mp4.buffer, mp4.byteOffset, mp4.byteLength);
  // Where each box's children start, past its header (stsd: version/flags + entry_count; av01: VisualSampleEntry).
  const skip: Record<string, number> = { moov: 0, trak: 0, mdia: 0, minf: 0, stbl: 0, stsd: 8, av01: 78 };
  const walk = (start: number, end: number, path: string[]): Uint8Array | null => {
    for (let p = start; p + 8 <= end;) {
      let size = dv.getUint32(p);
      const type = String.fromCharCode(...mp4.subarray(p + 4, p + 8));
      let header = 8;
      if (size === 1) { size = Number(dv.getBigUint64(p + 8)); header = 16; } else if (size === 0) size = end - p;
      if (size < header) return null;
      if (type === path[0]) {
        if (path.length === 1) return mp4.slice(p + header, p + size);
        const found = walk(p + header + skip[type]!, p + size, path.slice(1));
        if (found) return found;
      }
      p += size;
    }
    return null;
  };
  const found = walk(0, mp4.length, ['moov', 'trak', 'mdia', 'minf', 'stbl', 'stsd', 'av01', 'av1C']);
  assert.ok(found, 'the MP4 has an av1C');
  return found;
}

const PROFILES = ['Main', 'High', 'Professional'];
const CICP: Record<number, string> = { 1: 'bt709', 6: 'smpte170m' };
const CSP = [undefined, 'left', 'topleft'];
function pixFmt(c: Av1Contract): string {
  const depth = c.bitDepth === 8 ? '' : `${c.bitDepth}le`;
  if (c.monochrome) return `gray${depth}`;
  return `yuv${c.subsamplingX ? (c.subsamplingY ? 420 : 422) : 444}p${depth}`;
}

describe('AV1 sequence headers of real encodes', () => {
  for (const c of CASES) {
    describe(c.name, () => {
      it('parsed fields match the encoding settings and ffprobe', () => {
        const file = encoded(c);
        const found = findSequenceHeader(bytes(file));
        assert.ok(found, 'the first temporal unit has a sequence header');
        const sh = found.header;
        const k = contractFromSequenceHeader(sh);
        const e = c.expect;
        assert.deepEqual(
          [k.profile, k.bitDepth, k.monochrome, k.subsamplingX, k.subsamplingY, k.chromaSamplePosition, k.colorRange],
          [e.profile, e.bitDepth, e.mono, e.ssx, e.ssy, e.csp, e.range], 'profile, depth, mono, subsampling, csp, range');
        assert.deepEqual([k.colorPrimaries, k.transferCharacteristics, k.matrixCoefficients], e.colour ?? [2, 2, 2]);
        assert.equal(sh.colorConfig.colorDescriptionPresent, e.colour !== null);
        assert.deepEqual([sh.maxFrameWidth, sh.maxFrameHeight], c.size);
        c.more?.(sh);

        const p = ffprobe(file);
        assert.equal(p.profile, PROFILES[k.profile]);
        assert.equal(p.pix_fmt, pixFmt(k));
        assert.equal(p.level, k.level);
        assert.equal(p.color_range, k.colorRange ? 'pc' : 'tv');
        assert.deepEqual([p.color_primaries, p.color_transfer, p.color_space],
          [CICP[k.colorPrimaries], CICP[k.transferCharacteristics], CICP[k.matrixCoefficients]]);
        assert.equal(p.chroma_location, CSP[k.chromaSamplePosition]);
        assert.deepEqual([p.width, p.height], c.size);
        // An encoder must pick a level that admits the stream, so never below the smallest that does.
        assert.ok(k.level >= levelFor(c.size[0], c.size[1], 30), `level ${k.level} admits ${c.size.join('x')}@30`);
        assert.equal(codecString(k), `av01.${k.profile}.${String(k.level).padStart(2, '0')}${c.codecTail}`);
      });

      it("every coded field agrees with ffmpeg's own trace of the header", () => {
        const sh = findSequenceHeader(bytes(encoded(c)))!.header;
        const trace = ffmpegTrace(encoded(c));
        assert.ok(trace.length >= 30, `ffmpeg traced ${trace.length} fields`);
        for (const [full, value] of trace) {
          const [, name = '', index] = /^([a-z0-9_]+)(?:\[(\d+)\])?$/.exec(full) ?? [];
          const ours = TRACE[name];
          assert.ok(ours, `the test maps ${full}`);
          assert.equal(Number(ours(sh, Number(index ?? 0))), value, full);
        }
      });

      it('the OBU walk covers the file: one temporal delimiter per packet ffprobe counts', () => {
        const buf = bytes(encoded(c));
        const obus = [...readObus(buf)];
        assert.deepEqual(obus.slice(0, 2).map((o) => o.type), [2, 1], 'TD, then the sequence header');
        assert.equal(obus.at(-1)?.end, buf.length);
        for (const [i, o] of obus.entries()) {
          assert.ok([1, 2, 3, 4, 5, 6, 7, 8, 15].includes(o.type), `OBU ${i} has type ${o.type}`);
          assert.equal(o.start, i === 0 ? 0 : obus[i - 1]!.end, 'OBUs are contiguous');
          assert.equal(o.payloadStart + o.payloadSize, o.end);
          assert.ok(o.hasSizeField && !o.hasExtension && o.headerLength === 1);
        }
        const tds = obus.filter((o) => o.type === 2);
        assert.ok(tds.every((o) => o.payloadSize === 0));
        assert.equal(tds.length, Number(ffprobe(encoded(c)).nb_read_packets));
      });

      it("buildAv1C equals the av1C ffmpeg writes for the same encode, byte for byte", () => {
        const obuFile = encoded(c);
        const mp4File = obuFile.replace(/\.obu$/, '.mp4');
        execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', obuFile, '-c', 'copy', mp4File]);
        const theirs = av1cOf(bytes(mp4File));
        const found = findSequenceHeader(bytes(obuFile))!;
        const ours = buildAv1C(found.header, found.obu);
        assert.deepEqual([...ours.subarray(0, 4)], [...theirs.subarray(0, 4)], 'the four header bytes');
        assert.deepEqual(parseSequenceHeaderObu(parseAv1C(ours).configOBUs), parseSequenceHeaderObu(parseAv1C(theirs).configOBUs));
        assert.deepEqual(ours, theirs);
        assert.deepEqual(buildAv1C(found.obu), ours, 'the one-argument form');
        const rec = parseAv1C(theirs);
        const k = contractFromSequenceHeader(found.header);
        assert.deepEqual(
          [rec.seqProfile, rec.seqLevelIdx0, rec.seqTier0, rec.monochrome, rec.chromaSubsamplingX, rec.chromaSubsamplingY, rec.chromaSamplePosition, rec.initialPresentationDelay],
          [k.profile, k.level, k.tier, k.monochrome, k.subsamplingX, k.subsamplingY, k.chromaSamplePosition, null]);
        assert.equal(rec.highBitdepth ? (rec.twelveBit ? 12 : 10) : 8, k.bitDepth);
      });
    });
  }
});

const FIXTURE = new URL('./fixtures/av1/chromium-keyframe.bin', import.meta.url);
it("Chromium's WebCodecs key chunk: TD then sequence header; profile 0, 8-bit, 4:2:0", { skip: !existsSync(FIXTURE) && 'fixture not added' }, () => {
  const chunk = bytes(FIXTURE);
  assert.deepEqual([...readObus(chunk)].slice(0, 2).map((o) => o.type), [2, 1]);
  const found = findSequenceHeader(chunk);
  assert.ok(found);
  const k = contractFromSequenceHeader(found.header);
  assert.deepEqual([k.profile, k.bitDepth, k.monochrome, k.subsamplingX, k.subsamplingY], [0, 8, false, 1, 1]);
  assert.deepEqual(parseSequenceHeaderObu(parseAv1C(buildAv1C(found.header, found.obu)).configOBUs), found.header);
});

const base = CASES[0]!;
const firstTu = (): { buf: Uint8Array; sh: { start: number; payloadStart: number; end: number } } => {
  const buf = bytes(encoded(base));
  const sh = [...readObus(buf)][1]!;
  return { buf, sh };
};

describe('OBU framing and truncation', () => {
  it('leb128: boundaries, padded encodings, and values past 2^32 - 1', () => {
    for (const v of [0, 1, 127, 128, 16383, 16384, 2 ** 21, 2 ** 28 - 1, 2 ** 28, 2 ** 32 - 1]) {
      const enc = writeLeb128(v);
      assert.equal(enc.length, Math.max(1, Math.ceil(Math.log2(v + 1) / 7)), `${v} is written minimally`);
      assert.deepEqual(readLeb128(Uint8Array.of(0xaa, ...enc), 1), { value: v, length: enc.length });
    }
    assert.deepEqual([...writeLeb128(300)], [0xac, 0x02]);
    assert.deepEqual(readLeb128(Uint8Array.of(0x80, 0x00), 0), { value: 0, length: 2 }, 'padding is legal');
    assert.deepEqual(readLeb128(Uint8Array.of(0x81, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00), 0), { value: 1, length: 8 });
    assert.throws(() => readLeb128(Uint8Array.of(0x80, 0x80, 0x80, 0x80, 0x10), 0), /exceeds 2\^32 - 1/);
    assert.throws(() => readLeb128(new Uint8Array(9).fill(0x80), 0), /8th byte/);
    assert.throws(() => readLeb128(Uint8Array.of(0xff, 0xff), 0), BitstreamError);
    assert.throws(() => readLeb128(new Uint8Array(0), 0), BitstreamError);
    for (const bad of [-1, 1.5, 2 ** 32, Number.NaN]) assert.throws(() => writeLeb128(bad), BitstreamError);
  });

  it('every cut inside the sequence header OBU throws BitstreamError; cuts at OBU boundaries do not', () => {
    const { buf, sh } = firstTu();
    for (let n = 1; n < sh.end; n++) {
      if (n === sh.start) assert.equal([...readObus(buf.subarray(0, n))].length, 1);
      else assert.throws(() => [...readObus(buf.subarray(0, n))], BitstreamError, `cut at ${n}`);
    }
    assert.equal(findSequenceHeader(buf.subarray(0, sh.start)), null);
  });

  it('a sequence header payload cut short, with obu_size or without, throws "Cannot parse sequence header"', () => {
    const { buf, sh } = firstTu();
    const payload = buf.subarray(sh.payloadStart, sh.end);
    for (let k = 0; k < payload.length; k++) {
      const cut = payload.subarray(0, k);
      assert.throws(() => findSequenceHeader(Uint8Array.of(0x0a, ...writeLeb128(k), ...cut)), /^BitstreamError: Cannot parse sequence header/, `sized, ${k} bytes`);
      assert.throws(() => findSequenceHeader(Uint8Array.of(0x08, ...cut)), BitstreamError, `size-less, ${k} bytes`);
    }
    // Clearing the last set bit, trailing_one_bit, is caught too; so is a reserved profile.
    const noTrailing = payload.slice();
    const last = noTrailing.length - 1;
    noTrailing[last] = noTrailing[last]! & (noTrailing[last]! - 1);
    assert.throws(() => findSequenceHeader(Uint8Array.of(0x08, ...noTrailing)), /trailing/);
    const reserved = payload.slice();
    reserved[0] = reserved[0]! | 0xe0;
    assert.throws(() => findSequenceHeader(Uint8Array.of(0x08, ...reserved)), /seq_profile 7 is reserved/);
  });

  it('extension headers, size-less last OBUs, and temporal units without a sequence header', () => {
    const { buf, sh } = firstTu();
    const obu = buf.slice(sh.start, sh.end);
    const payload = buf.subarray(sh.payloadStart, sh.end);
    const original = findSequenceHeader(obu)!.header;
    const ext = Uint8Array.of(0x0e, (5 << 5) | (2 << 3), ...writeLeb128(payload.length), ...payload);
    const [o] = [...readObus(ext)];
    assert.deepEqual([o?.type, o?.hasExtension, o?.temporalId, o?.spatialId, o?.headerLength, o?.payloadStart], [1, true, 5, 2, 2, 2 + writeLeb128(payload.length).length]);
    assert.deepEqual(findSequenceHeader(ext)?.header, original);
    // A size-less sequence header after a TD: findSequenceHeader hands back the OBU with obu_size restored.
    const sizeless = Uint8Array.of(0x12, 0x00, 0x08, ...payload);
    const last = [...readObus(sizeless)][1]!;
    assert.deepEqual([last.hasSizeField, last.payloadSize, last.end], [false, payload.length, sizeless.length]);
    assert.deepEqual(findSequenceHeader(sizeless)?.obu, obu);
    assert.throws(() => [...readObus(Uint8Array.of(0x92, 0x00))], /obu_forbidden_bit/);
    assert.throws(() => [...readObus(Uint8Array.of(0x0e))], /extension header/);
    const tds = [...readObus(buf)].filter((x) => x.type === 2);
    assert.equal(findSequenceHeader(buf.subarray(tds[1]!.start, tds[2]!.start)), null, 'the second TU of a libaom stream');
  });

  it('av1C: the two-argument form rejects a mismatched header; parseAv1C rejects bad records', () => {
    const { buf, sh } = firstTu();
    const obu = buf.slice(sh.start, sh.end);
    const header = findSequenceHeader(obu)!.header;
    const other = findSequenceHeader(bytes(encoded(CASES.find((x) => x.name === 'aom-10bit')!)))!.header;
    assert.throws(() => buildAv1C(other, obu), /disagrees/);
    assert.throws(() => buildAv1C(header, buf.subarray(0, sh.end)), /exactly one sequence header OBU/);
    assert.throws(() => buildAv1C(header, Uint8Array.of(0x08, ...obu.subarray(2))), /lacks obu_size/);
    const good = buildAv1C(header, obu);
    assert.throws(() => parseAv1C(good.subarray(0, 3)), /need at least 4/);
    assert.throws(() => parseAv1C(Uint8Array.of(0x01, ...good.subarray(1))), /marker/);
    assert.throws(() => parseAv1C(Uint8Array.of(0x82, ...good.subarray(1))), /version 2/);
    const delayed = parseAv1C(Uint8Array.of(0x81, good[1]!, good[2]!, 0x1b, ...obu));
    assert.deepEqual([delayed.initialPresentationDelayPresent, delayed.initialPresentationDelay], [true, 12]);
  });
});

describe('contracts and codecs strings', () => {
  const contractOf = (name: string): Av1Contract =>
    contractFromSequenceHeader(findSequenceHeader(bytes(encoded(CASES.find((x) => x.name === name)!)))!.header);

  it('compareContract names the first differing field between real encodes', () => {
    assert.deepEqual(compareContract(contractOf('aom-420'), contractOf('aom-10bit')), { field: 'bitDepth', expected: 8, actual: 10 });
    assert.deepEqual(compareContract(contractOf('aom-420'), contractOf('aom-444')), { field: 'profile', expected: 0, actual: 1 });
    assert.deepEqual(compareContract(contractOf('aom-420'), contractOf('aom-1080p')), { field: 'level', expected: 1, actual: 8 });
    assert.equal(compareContract(contractOf('aom-full-bt709'), contractOf('svt-full-bt709')), null, 'libaom and SVT-AV1 agree');
    assert.deepEqual(compareContract({ colorRange: 1 }, contractOf('aom-420')), { field: 'colorRange', expected: 1, actual: 0 });
  });

  it('compareContract follows the documented order for every pair of fields', () => {
    assert.deepEqual(CONTRACT_FIELDS, ['profile', 'level', 'tier', 'bitDepth', 'monochrome', 'subsamplingX', 'subsamplingY',
      'chromaSamplePosition', 'colorPrimaries', 'transferCharacteristics', 'matrixCoefficients', 'colorRange']);
    const k = contractOf('aom-420');
    const bump = (c: Av1Contract, f: keyof Av1Contract): Av1Contract => ({ ...c, [f]: typeof c[f] === 'boolean' ? !c[f] : (c[f] as number) + 1 });
    CONTRACT_FIELDS.forEach((f, i) => {
      assert.equal(compareContract(k, bump(k, f))?.field, f);
      for (const g of CONTRACT_FIELDS.slice(i + 1)) assert.equal(compareContract(k, bump(bump(k, g), f))?.field, f, `${f} before ${g}`);
    });
  });

  it('codecString: short form for defaults, the long form otherwise (the AV1-ISOBMFF example)', () => {
    const spec: Av1Contract = { profile: 0, level: 4, tier: 0, bitDepth: 10, monochrome: false, subsamplingX: 1, subsamplingY: 1,
      chromaSamplePosition: 2, colorPrimaries: 9, transferCharacteristics: 16, matrixCoefficients: 9, colorRange: 0 };
    assert.equal(codecString(spec), 'av01.0.04M.10.0.112.09.16.09.0');
    const plain = { ...spec, level: 8, bitDepth: 8, chromaSamplePosition: 0, colorPrimaries: 1, transferCharacteristics: 1, matrixCoefficients: 1 };
    assert.equal(codecString(plain), 'av01.0.08M.08');
    assert.equal(codecStringLong(plain), 'av01.0.08M.08.0.110.01.01.01.0');
    assert.equal(codecString({ ...plain, tier: 1, level: 13 }), 'av01.0.13H.08');
    assert.equal(codecString({ ...plain, colorRange: 1 }), 'av01.0.08M.08.0.110.01.01.01.1');
  });
});

describe('levels (Annex A.3)', () => {
  it('levelFor and av1CodecStringFor on known sizes and rates', () => {
    const table: Array<[number, number, number, string]> = [
      [1920, 1080, 25, 'av01.0.08M.08'], [1280, 720, 30, 'av01.0.05M.08'], [640, 360, 30, 'av01.0.01M.08'], [426, 240, 30, 'av01.0.00M.08'],
      [854, 480, 30, 'av01.0.04M.08'], [1920, 1080, 60, 'av01.0.09M.08'], [3840, 2160, 30, 'av01.0.12M.08'], [3840, 2160, 60, 'av01.0.13M.08'],
      [3840, 2160, 120, 'av01.0.14M.08'], [7680, 4320, 30, 'av01.0.16M.08'], [7680, 4320, 60, 'av01.0.17M.08'], [7680, 4320, 120, 'av01.0.18M.08'],
      [7680, 4320, 240, 'av01.0.31M.08'], [1920, 1080, 34, 'av01.0.08M.08'], [1920, 1080, 35, 'av01.0.09M.08'],
      [2048, 72, 30, 'av01.0.00M.08'], [2049, 8, 30, 'av01.0.01M.08'], [128, 1152, 30, 'av01.0.00M.08'], [64, 1153, 30, 'av01.0.01M.08'],
    ];
    for (const [w, h, fps, s] of table) assert.equal(av1CodecStringFor({ width: w, height: h, frameRate: fps }), s, `${w}x${h}@${fps}`);
    assert.equal(av1CodecStringFor({ width: 1920, height: 1080, frameRate: 25, bitDepth: 10 }), 'av01.0.08M.10');
    assert.deepEqual([levelName(8), levelName(19), levelName(31), levelName(2)], ['4.0', '6.3', 'max', null]);
    assert.throws(() => levelFor(0, 720, 30), BitstreamError);
    assert.throws(() => levelFor(1280, 720, Number.NaN), BitstreamError);
  });

  it('the table has the defined levels, with MaxDisplayRate = MaxPicSize x 30, 60 or 120 as Annex A has it', () => {
    assert.deepEqual(LEVELS.map((l) => l.idx), [0, 1, 4, 5, 8, 9, 12, 13, 14, 15, 16, 17, 18, 19]);
    assert.deepEqual(LEVELS.map((l) => l.maxDisplayRate / l.maxPicSize), [30, 30, 30, 30, 30, 60, 30, 60, 120, 120, 30, 60, 120, 120]);
    assert.deepEqual(LEVELS.map((l) => l.maxPicSize), [147456, 278784, 665856, 1065024, 2359296, 2359296, 8912896, 8912896, 8912896, 8912896, 35651584, 35651584, 35651584, 35651584]);
  });
});
