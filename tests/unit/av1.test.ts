// The AV1 bitstream module (src/av1/) on hand-made bytes, no encoder: leb128 both ways and its
// limits, OBU headers and iteration, sequence headers (Chromium's real one decoded by hand, and
// headers written field by field from the spec) with truncation errors, av1C build/parse, levels
// for sizes and frame rates, contracts (the first mismatched field named) and codecs strings.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  av1CodecStringFor, buildAv1C, codecString, codecStringLong, compareContract, contractFromSequenceHeader,
  findSequenceHeader, hasDefaultCodecFields, LEB128_MAX, levelFor, levelName, obuPayload, parseAv1C,
  parseSequenceHeader, parseSequenceHeaderObu, readLeb128, readObu, readObus, sequenceHeaderFromAv1C,
  SELECT_INTEGER_MV, SELECT_SCREEN_CONTENT_TOOLS, writeLeb128,
} from '../../src/av1/mod.ts';
import type { Av1Contract } from '../../src/av1/mod.ts';
import { BitstreamError } from '../../src/errors.ts';
import { BitWriter, CHROMIUM_720P_TU, keyTemporalUnit, obu, sequenceHeaderObu, sequenceHeaderPayload } from '../lib/av1-obus.ts';

const bytes = (...b: number[]) => Uint8Array.from(b);

describe('leb128', () => {
  it('writes the minimal little-endian 7-bit groups', () => {
    assert.deepEqual(writeLeb128(0), bytes(0x00));
    assert.deepEqual(writeLeb128(127), bytes(0x7f));
    assert.deepEqual(writeLeb128(128), bytes(0x80, 0x01));
    assert.deepEqual(writeLeb128(300), bytes(0xac, 0x02)); // 300 = 2*128 + 44
    assert.deepEqual(writeLeb128(16384), bytes(0x80, 0x80, 0x01));
    assert.deepEqual(writeLeb128(LEB128_MAX), bytes(0xff, 0xff, 0xff, 0xff, 0x0f));
  });

  it('round-trips values at every byte-length boundary, read at an offset', () => {
    for (const v of [0, 1, 127, 128, 16383, 16384, 2 ** 21 - 1, 2 ** 21, 2 ** 28, 2 ** 31, LEB128_MAX]) {
      const enc = writeLeb128(v);
      const buf = new Uint8Array(enc.length + 3);
      buf.set(enc, 2);
      assert.deepEqual(readLeb128(buf, 2), { value: v, length: enc.length }, `value ${v}`);
    }
  });

  it('reads non-minimal encodings (padding groups) with their full length', () => {
    assert.deepEqual(readLeb128(bytes(0x85, 0x80, 0x00), 0), { value: 5, length: 3 });
  });

  it('truncated, over-long and too-large values are BitstreamErrors', () => {
    assert.throws(() => readLeb128(bytes(0x80), 0), (e: unknown) => e instanceof BitstreamError && /ends inside the value/.test(e.message));
    assert.throws(() => readLeb128(bytes(), 0), BitstreamError);
    assert.throws(() => readLeb128(new Uint8Array(9).fill(0x80), 0), /8th byte still has its continuation bit/);
    // 2^32 = 0x80 0x80 0x80 0x80 0x10
    assert.throws(() => readLeb128(bytes(0x80, 0x80, 0x80, 0x80, 0x10), 0), /exceeds 2\^32 - 1/);
    for (const bad of [-1, 1.5, 2 ** 32, Number.NaN]) assert.throws(() => writeLeb128(bad), BitstreamError, `writeLeb128(${bad})`);
  });
});

describe('OBU headers', () => {
  it('a sized OBU: type, size field and payload offsets', () => {
    const buf = bytes(0xff, (6 << 3) | 0x02, 3, 0xa, 0xb, 0xc);
    const o = readObu(buf, 1);
    assert.deepEqual(o, {
      type: 6, hasExtension: false, temporalId: 0, spatialId: 0, hasSizeField: true,
      start: 1, headerLength: 1, payloadStart: 3, payloadSize: 3, end: 6,
    });
    assert.deepEqual(obuPayload(buf, o), bytes(0xa, 0xb, 0xc));
  });

  it('the extension byte gives temporal and spatial ids; an unsized OBU runs to the end', () => {
    // temporal_id 2 (bits 7-5), spatial_id 1 (bits 4-3).
    const o = readObu(bytes((4 << 3) | 0x04, (2 << 5) | (1 << 3), 0x01, 0x02), 0);
    assert.equal(o.type, 4);
    assert.deepEqual([o.hasExtension, o.temporalId, o.spatialId, o.hasSizeField], [true, 2, 1, false]);
    assert.deepEqual([o.headerLength, o.payloadStart, o.payloadSize, o.end], [2, 2, 2, 4]);
  });

  it('readObus walks a temporal unit: delimiter, sequence header, frame', () => {
    const tu = keyTemporalUnit({ width: 64, height: 48 });
    assert.deepEqual([...readObus(tu)].map((o) => o.type), [2, 1, 6]);
    assert.deepEqual([...readObus(CHROMIUM_720P_TU)].map((o) => [o.type, o.payloadSize]), [[2, 0], [1, 14]]);
  });

  it('forbidden bit, a cut header and an overlong size are BitstreamErrors naming the offset', () => {
    assert.throws(() => readObu(bytes(0x80 | 0x12, 0), 0), /OBU at 0: obu_forbidden_bit/);
    assert.throws(() => readObu(bytes(0x0c), 0), /buffer ends inside the extension header/);
    assert.throws(() => readObu(bytes(), 0), /buffer ends before the header/);
    assert.throws(() => readObu(bytes(0x32, 5, 1, 2), 0), /obu_size 5 exceeds buffer \(2 bytes left\)/);
    assert.throws(() => readObu(bytes(0x32, 0x80), 0), /obu_size is unreadable/);
    // The iterator is lazy: the good OBU comes out before the bad one throws.
    const it = readObus(bytes(0x12, 0x00, 0x32, 9));
    assert.equal(it.next().value?.type, 2);
    assert.throws(() => it.next(), BitstreamError);
  });
});

describe('sequence headers', () => {
  it('Chromium’s 720p header, decoded by hand from the spec’s syntax', () => {
    const found = findSequenceHeader(CHROMIUM_720P_TU);
    assert.ok(found);
    const sh = found.header;
    assert.deepEqual(found.obu, CHROMIUM_720P_TU.subarray(2));
    assert.equal(sh.seqProfile, 0);
    assert.deepEqual(sh.operatingPoints, [{ idc: 0, seqLevelIdx: 5, seqTier: 0, operatingParameters: null, initialDisplayDelay: null }]);
    assert.deepEqual([sh.frameWidthBits, sh.frameHeightBits, sh.maxFrameWidth, sh.maxFrameHeight], [11, 10, 1280, 720]);
    assert.deepEqual([sh.enableOrderHint, sh.orderHintBits, sh.enableCdef, sh.enableRestoration, sh.enableSuperres], [false, 0, true, false, false]);
    assert.deepEqual([sh.seqForceScreenContentTools, sh.seqForceIntegerMv], [SELECT_SCREEN_CONTENT_TOOLS, SELECT_INTEGER_MV]);
    assert.deepEqual(sh.colorConfig, {
      bitDepth: 8, highBitdepth: false, twelveBit: false, monoChrome: false, colorDescriptionPresent: true,
      colorPrimaries: 1, transferCharacteristics: 1, matrixCoefficients: 1, colorRange: 0,
      subsamplingX: 1, subsamplingY: 1, chromaSamplePosition: 0, separateUvDeltaQ: false,
    });
    assert.equal(sh.filmGrainParamsPresent, false);
    assert.equal(sh.timingInfo, null);
  });

  it('a header written field by field parses back to the same fields', () => {
    const sh = parseSequenceHeaderObu(sequenceHeaderObu({
      level: 9, tier: 1, width: 1920, height: 1080, bitDepth: 10, colour: [9, 16, 9], range: 1, csp: 2,
      timing: { tick: 1001, timeScale: 60000, ticksMinus1: 0 }, orderHintBits: 7, filmGrain: true,
    }));
    assert.deepEqual(sh.operatingPoints.map((p) => [p.seqLevelIdx, p.seqTier]), [[9, 1]]);
    assert.deepEqual([sh.maxFrameWidth, sh.maxFrameHeight], [1920, 1080]);
    assert.deepEqual(sh.timingInfo, { numUnitsInDisplayTick: 1001, timeScale: 60000, equalPictureInterval: true, numTicksPerPicture: 1 });
    assert.deepEqual([sh.enableOrderHint, sh.orderHintBits, sh.enableJntComp, sh.enableRefFrameMvs], [true, 7, true, true]);
    assert.deepEqual([sh.enableFilterIntra, sh.enableWarpedMotion, sh.enableDualFilter], [true, false, true]);
    const c = sh.colorConfig;
    assert.deepEqual([c.bitDepth, c.colorPrimaries, c.transferCharacteristics, c.matrixCoefficients, c.colorRange, c.chromaSamplePosition], [10, 9, 16, 9, 1, 2]);
    assert.equal(sh.filmGrainParamsPresent, true);
  });

  it('uvlc num_ticks_per_picture beyond one bit group; no equal interval gives null', () => {
    const a = parseSequenceHeaderObu(sequenceHeaderObu({ width: 16, height: 16, timing: { tick: 1, timeScale: 25, ticksMinus1: 40 } }));
    assert.equal(a.timingInfo?.numTicksPerPicture, 41);
    const b = parseSequenceHeaderObu(sequenceHeaderObu({ width: 16, height: 16, timing: { tick: 1, timeScale: 25, ticksMinus1: null } }));
    assert.deepEqual(b.timingInfo, { numUnitsInDisplayTick: 1, timeScale: 25, equalPictureInterval: false, numTicksPerPicture: null });
  });

  it('colour configs per profile: monochrome, 4:4:4 (profile 1), 4:2:2 and 12-bit (profile 2), implicit sRGB', () => {
    const mono = parseSequenceHeaderObu(sequenceHeaderObu({ width: 32, height: 32, mono: true, range: 1 })).colorConfig;
    assert.deepEqual([mono.monoChrome, mono.subsamplingX, mono.subsamplingY, mono.colorRange, mono.separateUvDeltaQ], [true, 1, 1, 1, false]);
    const p1 = parseSequenceHeaderObu(sequenceHeaderObu({ profile: 1, width: 32, height: 32 })).colorConfig;
    assert.deepEqual([p1.monoChrome, p1.subsamplingX, p1.subsamplingY, p1.colorPrimaries], [false, 0, 0, 2]);
    const p2 = parseSequenceHeaderObu(sequenceHeaderObu({ profile: 2, width: 32, height: 32, bitDepth: 10 })).colorConfig;
    assert.deepEqual([p2.bitDepth, p2.subsamplingX, p2.subsamplingY], [10, 1, 0]);
    const p12 = parseSequenceHeaderObu(sequenceHeaderObu({ profile: 2, width: 32, height: 32, bitDepth: 12, subsampling: [1, 1], csp: 1 })).colorConfig;
    assert.deepEqual([p12.bitDepth, p12.twelveBit, p12.subsamplingX, p12.subsamplingY, p12.chromaSamplePosition], [12, true, 1, 1, 1]);
    const srgb = parseSequenceHeaderObu(sequenceHeaderObu({ profile: 1, width: 32, height: 32, colour: [1, 13, 0] })).colorConfig;
    assert.deepEqual([srgb.colorRange, srgb.subsamplingX, srgb.subsamplingY], [1, 0, 0]);
  });

  it('every cut of a header is a BitstreamError, never a wrong parse', () => {
    const payload = sequenceHeaderPayload({ width: 640, height: 360, colour: [1, 1, 1] });
    assert.ok(parseSequenceHeader(payload));
    for (let n = 0; n < payload.length; n++) {
      assert.throws(() => parseSequenceHeader(payload.subarray(0, n)), BitstreamError, `cut to ${n} bytes`);
    }
    assert.throws(() => parseSequenceHeader(payload.subarray(0, 2)), /Cannot parse sequence header: payload ends early at bit 16/);
  });

  it('reserved profile, reduced header without still picture, and a zero trailing bit are refused', () => {
    assert.throws(() => parseSequenceHeader(new BitWriter().f(3, 3).f(29, 0).bytes()), /seq_profile 3 is reserved/);
    assert.throws(() => parseSequenceHeader(new BitWriter().f(3, 0).flag(false).flag(true).f(27, 0).bytes()), /reduced_still_picture_header is set without still_picture/);
    const p = sequenceHeaderPayload({ width: 16, height: 16 });
    // The writer's trailing_bits() is the last 1 of the payload; clear it.
    const last = p.length - 1;
    const cleared = p.slice();
    cleared[last] = cleared[last]! & (cleared[last]! - 1);
    assert.throws(() => parseSequenceHeader(cleared), /trailing_one_bit is 0/);
  });

  it('a sequence header OBU without obu_size is returned with one added', () => {
    const payload = sequenceHeaderPayload({ width: 320, height: 240 });
    const tu = Uint8Array.from([...obu(2, new Uint8Array(0)), ...obu(1, payload, false)]);
    const found = findSequenceHeader(tu);
    assert.deepEqual(found?.obu, sequenceHeaderObu({ width: 320, height: 240 }));
    assert.equal(findSequenceHeader(obu(2, new Uint8Array(0))), null);
    assert.throws(() => parseSequenceHeaderObu(obu(6, bytes(1, 2))), /the bytes hold no sequence header OBU/);
  });
});

describe('av1C', () => {
  it('built from Chromium’s header: marker/version, profile and level, the colour byte, the OBU', () => {
    const shObu = CHROMIUM_720P_TU.subarray(2);
    const rec = buildAv1C(shObu);
    // byte 1: profile 0 << 5 | level 5; byte 2: tier 0, 8-bit, not mono, ssx 1 (0x08), ssy 1 (0x04), csp 0.
    assert.deepEqual(rec.subarray(0, 4), bytes(0x81, 0x05, 0x0c, 0x00));
    assert.deepEqual(rec.subarray(4), shObu);
  });

  it('10-bit, high tier, monochrome and chroma sample position reach the header bytes and parse back', () => {
    const shObu = sequenceHeaderObu({ level: 12, tier: 1, width: 3840, height: 2160, bitDepth: 10, mono: true });
    const rec = parseAv1C(buildAv1C(shObu));
    assert.deepEqual(
      [rec.marker, rec.version, rec.seqProfile, rec.seqLevelIdx0, rec.seqTier0, rec.highBitdepth, rec.twelveBit, rec.monochrome, rec.chromaSubsamplingX, rec.chromaSubsamplingY],
      [1, 1, 0, 12, 1, true, false, true, 1, 1],
    );
    assert.deepEqual([rec.initialPresentationDelayPresent, rec.initialPresentationDelay], [false, null]);
    assert.deepEqual(rec.configOBUs, shObu);
    assert.equal(sequenceHeaderFromAv1C(rec)?.maxFrameWidth, 3840);
    const csp = buildAv1C(sequenceHeaderObu({ width: 64, height: 64, csp: 2 }));
    assert.equal(csp[2], 0x0c | 2);
  });

  it('parseAv1C reads initial_presentation_delay and refuses short, unmarked or unknown-version records', () => {
    const rec = parseAv1C(bytes(0x81, 0x00, 0x0c, 0x10 | 0x03));
    assert.deepEqual([rec.initialPresentationDelayPresent, rec.initialPresentationDelay, rec.configOBUs.length], [true, 4, 0]);
    assert.equal(sequenceHeaderFromAv1C(rec), null);
    assert.throws(() => parseAv1C(bytes(0x81, 0, 0)), /3 bytes, need at least 4/);
    assert.throws(() => parseAv1C(bytes(0x01, 0, 0, 0)), /marker bit is 0/);
    assert.throws(() => parseAv1C(bytes(0x82, 0, 0, 0)), /version 2/);
  });

  it('buildAv1C wants exactly one sized sequence header OBU that agrees with the parse given', () => {
    assert.throws(() => buildAv1C(CHROMIUM_720P_TU), /exactly one sequence header OBU/);
    assert.throws(() => buildAv1C(obu(1, sequenceHeaderPayload({ width: 8, height: 8 }), false)), /lacks obu_size/);
    const a = sequenceHeaderObu({ width: 64, height: 64, level: 1 });
    const other = parseSequenceHeaderObu(sequenceHeaderObu({ width: 64, height: 64, level: 4 }));
    assert.throws(() => buildAv1C(other, a), /disagrees/);
    assert.deepEqual(buildAv1C(parseSequenceHeaderObu(a), a), buildAv1C(a));
  });
});

describe('levels', () => {
  it('the smallest Main-tier level for common sizes and rates', () => {
    const cases: Array<[number, number, number, number]> = [
      [640, 360, 30, 1], // 230400 > 2.0's 147456 samples
      [640, 360, 60, 4], // 13.8 M samples/s > 2.1's 8.36 M
      [1280, 720, 30, 5],
      [1920, 1080, 30, 8],
      [1920, 1080, 60, 9], // 124.4 M/s > 4.0's 70.8 M
      [3840, 2160, 30, 12],
      [3840, 2160, 60, 13],
      [3840, 2160, 120, 14],
      [7680, 4320, 30, 16],
      [7680, 4320, 60, 17],
    ];
    for (const [w, h, fps, idx] of cases) assert.equal(levelFor(w, h, fps), idx, `${w}x${h}@${fps}`);
  });

  it('limits are inclusive; the horizontal size limit alone can raise the level; beyond 6.3 is 31', () => {
    assert.equal(levelFor(2048, 72, 30), 0); // 147456 samples at exactly 4423680/s
    assert.equal(levelFor(2048, 72, 30.001), 1);
    assert.equal(levelFor(2049, 2, 1), 1); // MaxHSize 2048 at 2.0
    assert.equal(levelFor(16385, 16, 1), 31);
    assert.equal(levelFor(7680, 4320, 240), 31);
  });

  it('names and refusals', () => {
    assert.deepEqual([levelName(0), levelName(8), levelName(19), levelName(31), levelName(2), levelName(20)], ['2.0', '4.0', '6.3', 'max', null, null]);
    for (const [w, h, r] of [[0, 10, 30], [10.5, 10, 30], [10, 10, 0], [10, 10, Number.NaN]] as const) {
      assert.throws(() => levelFor(w, h, r), BitstreamError, `${w}x${h}@${r}`);
    }
    assert.equal(av1CodecStringFor({ width: 1920, height: 1080, frameRate: 25 }), 'av01.0.08M.08');
    assert.equal(av1CodecStringFor({ width: 640, height: 360, frameRate: 30, bitDepth: 10 }), 'av01.0.01M.10');
  });
});

describe('contracts and codecs strings', () => {
  const chromium = contractFromSequenceHeader(findSequenceHeader(CHROMIUM_720P_TU)!.header);

  it('the contract of Chromium’s header', () => {
    assert.deepEqual(chromium, {
      profile: 0, level: 5, tier: 0, bitDepth: 8, monochrome: false, subsamplingX: 1, subsamplingY: 1,
      chromaSamplePosition: 0, colorPrimaries: 1, transferCharacteristics: 1, matrixCoefficients: 1, colorRange: 0,
    });
  });

  it('compareContract names the first differing field in av1C order, and checks only declared fields', () => {
    assert.equal(compareContract({}, chromium), null);
    assert.equal(compareContract(chromium, { ...chromium }), null);
    assert.deepEqual(compareContract({ bitDepth: 10, level: 8 }, chromium), { field: 'level', expected: 8, actual: 5 });
    assert.deepEqual(compareContract({ colorRange: 1, monochrome: true }, chromium), { field: 'monochrome', expected: true, actual: false });
    assert.deepEqual(compareContract(chromium, { ...chromium, matrixCoefficients: 6, colorRange: 1 }), { field: 'matrixCoefficients', expected: 1, actual: 6 });
  });

  it('short form for default fields (BT.709 or unspecified colour, studio range, 4:2:0, csp 0), long otherwise', () => {
    assert.equal(codecString(chromium), 'av01.0.05M.08');
    const unspecified: Av1Contract = { ...chromium, colorPrimaries: 2, transferCharacteristics: 2, matrixCoefficients: 2 };
    assert.equal(hasDefaultCodecFields(unspecified), true);
    assert.equal(codecString({ ...chromium, colorRange: 1 }), 'av01.0.05M.08.0.110.01.01.01.1');
    assert.equal(codecString({ ...chromium, level: 12, tier: 1, bitDepth: 10, colorPrimaries: 9, transferCharacteristics: 16, matrixCoefficients: 9 }), 'av01.0.12H.10.0.110.09.16.09.0');
    assert.equal(codecString({ ...chromium, chromaSamplePosition: 2 }), 'av01.0.05M.08.0.112.01.01.01.0');
    assert.equal(codecString({ ...chromium, monochrome: true }), 'av01.0.05M.08.1.110.01.01.01.0');
    // Mixed colour (1, 1, 2) is neither all-709 nor all-unspecified.
    assert.equal(hasDefaultCodecFields({ ...chromium, matrixCoefficients: 2 }), false);
  });

  it('the long form writes csp 0 unless both subsamplings are 1', () => {
    const p1: Av1Contract = { ...chromium, profile: 1, subsamplingX: 0, subsamplingY: 0, chromaSamplePosition: 1 };
    assert.equal(codecStringLong(p1), 'av01.1.05M.08.0.000.01.01.01.0');
    assert.equal(codecStringLong(chromium), 'av01.0.05M.08.0.110.01.01.01.0');
  });
});
