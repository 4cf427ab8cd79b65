// Ladder planning (src/plan/ladder.ts): the rounding rule (README "Rung sizes"), portrait sources,
// dropped and deduplicated rungs, ordering, default bitrates, quality levels and codec strings.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_LADDER, QUALITY_QUANTIZERS, defaultBitrate, planLadder, withQuality } from '../../src/plan/ladder.ts';

const sizes = (plans: ReturnType<typeof planLadder>) => plans.map((p) => `${p.width}x${p.height}`);

describe('planLadder', () => {
  it('1920x1080 at the default ladder: the usual four rungs, largest first', () => {
    const plans = planLadder(1920, 1080, 30, DEFAULT_LADDER);
    assert.deepEqual(sizes(plans), ['1920x1080', '1280x720', '854x480', '640x360']);
    assert.deepEqual(plans.map((p) => p.label), [1080, 720, 480, 360]);
    assert.ok(plans.every((p) => p.quantizer === null && p.bitrate > 0));
  });

  it('short side rounded down to even, long side rounded to the nearest even', () => {
    // 481 → 480; 480 * 16/9 = 853.33 → 854. 361 → 360. 1279x719 source: 359 → 358, 1279*358/719 = 636.8 → 636.
    assert.deepEqual(sizes(planLadder(1920, 1080, 30, [481, 361])), ['854x480', '640x360']);
    assert.deepEqual(sizes(planLadder(1279, 719, 30, [359])), ['636x358']);
    // 4:3: 480 * 4/3 = 640 exactly; 241 → 240, 320.
    assert.deepEqual(sizes(planLadder(640, 480, 25, [480, 241])), ['640x480', '320x240']);
  });

  it('portrait: the rung names the short side (the width)', () => {
    const plans = planLadder(1080, 1920, 30, [720, 360]);
    assert.deepEqual(sizes(plans), ['720x1280', '360x640']);
    assert.deepEqual(plans.map((p) => p.label), [720, 360]);
  });

  it('rungs above the source are dropped, unless upscale', () => {
    assert.deepEqual(sizes(planLadder(1280, 720, 30, [1080, 720, 360])), ['1280x720', '640x360']);
    assert.deepEqual(sizes(planLadder(1280, 720, 30, [1080, 720, 360], true)), ['1920x1080', '1280x720', '640x360']);
  });

  it('when every rung is too large, one rung at the source short side (down to even) remains', () => {
    assert.deepEqual(sizes(planLadder(641, 361, 30, [1080, 720])), ['640x360']);
  });

  it('rungs that round to the same size are kept once; order follows area, not the request', () => {
    assert.deepEqual(sizes(planLadder(1920, 1080, 30, [360, 721, 720, 1080])), ['1920x1080', '1280x720', '640x360']);
  });

  it('a rung is at least 2 pixels on each side', () => {
    const [p] = planLadder(4000, 2, 30, [2]);
    assert.deepEqual([p!.width, p!.height], [4000, 2]);
    const [q] = planLadder(16, 16, 30, [3], true);
    assert.deepEqual([q!.width, q!.height], [2, 2]);
  });

  it('explicit bitrates and quantizers: a quantizer zeroes the bitrate', () => {
    const plans = planLadder(1920, 1080, 30, [{ height: 720, bitrate: 1_234_000 }, { height: 360, quantizer: 40 }]);
    assert.deepEqual(plans.map((p) => [p.bitrate, p.quantizer]), [[1_234_000, null], [0, 40]]);
  });

  it('codec strings carry the level for size and rate (AV1 main, 8-bit)', () => {
    const plans = planLadder(1920, 1080, 30, [1080, 360]);
    // 1080p30: level 4.0 (seq_level_idx 8); 640x360 at 30 fits level 2.1 (idx 1: 278,784 samples a picture).
    assert.deepEqual(plans.map((p) => p.codec), ['av01.0.08M.08', 'av01.0.01M.08']);
    assert.equal(planLadder(1920, 1080, 60, [1080])[0]!.codec, 'av01.0.09M.08', '1080p60 needs level 4.1');
  });
});

describe('defaultBitrate', () => {
  it('0.08 bits per pixel per frame, rounded to the kbit/s', () => {
    assert.equal(defaultBitrate(1920, 1080, 30), 4_977_000);
    assert.equal(defaultBitrate(640, 360, 30), 553_000);
  });

  it('clamps the frame rate to 1..60', () => {
    assert.equal(defaultBitrate(640, 360, 120), defaultBitrate(640, 360, 60));
    assert.equal(defaultBitrate(640, 360, 0.5), defaultBitrate(640, 360, 1));
  });
});

describe('withQuality', () => {
  it('a level sets every rung’s quantizer', () => {
    assert.deepEqual(withQuality([720, { height: 360, bitrate: 5 }], 'low'), [{ height: 720, quantizer: QUALITY_QUANTIZERS.low }, { height: 360, bitrate: 5, quantizer: 42 }]);
  });

  it('an array sets them per rung; missing entries leave the rung as is', () => {
    assert.deepEqual(withQuality([720, 480, 360], [20, 30]), [{ height: 720, quantizer: 20 }, { height: 480, quantizer: 30 }, { height: 360 }]);
  });

  it('no quality: the ladder, copied', () => {
    const ladder = [720, 360];
    const out = withQuality(ladder, undefined);
    assert.deepEqual(out, ladder);
    assert.notEqual(out, ladder);
  });

  it('the named levels', () => {
    assert.deepEqual(QUALITY_QUANTIZERS, { high: 24, medium: 32, low: 42 });
  });
});
