// The decode stage's plane readout (src/decode/planes.ts) and frame ownership
// (src/decode/frames.ts), on fake VideoFrames: the sizes, strides and bytes handed to the scaler,
// the formats refused, and the open-frame count.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { adopt, openFrameCount, release } from '../../src/decode/frames.ts';
import { readPlanes } from '../../src/decode/planes.ts';
import { UnsupportedCodecError } from '../../src/errors.ts';
import { FakeVideoFrame } from '../lib/fake-frame.ts';
import type { FakeFrameInit } from '../lib/fake-frame.ts';

const frame = (init: FakeFrameInit) => new FakeVideoFrame(init) as unknown as VideoFrame;

describe('readPlanes (VideoFrame.copyTo → SourcePlanes)', () => {
  it('I420: visible size, the layout copyTo reports (padded strides) and its bytes', async () => {
    const f = frame({ format: 'I420', codedWidth: 64, codedHeight: 36, visibleRect: { x: 0, y: 0, width: 60, height: 34 }, stride: 80, colorSpace: { fullRange: false } });
    const p = await readPlanes(f, true);
    assert.equal(p.format, 'I420');
    assert.equal(p.width, 60);
    assert.equal(p.height, 34);
    assert.deepEqual(p.layout, [{ offset: 0, stride: 80 }, { offset: 80 * 36, stride: 40 }, { offset: 80 * 36 + 40 * 18, stride: 40 }]);
    assert.equal(p.data.byteLength, 80 * 36 + 2 * 40 * 18);
    // Sample (x, y) of plane k sits at offset + y * stride + x.
    assert.equal(p.data[p.layout[0]!.offset + 5 * 80 + 3], (5 * 7 + 3) & 0xff);
    assert.equal(p.data[p.layout[2]!.offset + 2 * 40 + 9], (128 + 2 * 7 + 9) & 0xff);
    assert.equal(p.fullRange, false, "the frame's own colour range wins over the fallback");
  });

  it('NV12: two planes, the interleaved chroma row as wide as luma', async () => {
    const p = await readPlanes(frame({ format: 'NV12', codedWidth: 32, codedHeight: 16 }), false);
    assert.equal(p.format, 'NV12');
    assert.deepEqual(p.layout, [{ offset: 0, stride: 32 }, { offset: 32 * 16, stride: 32 }]);
    assert.equal(p.data.byteLength, 32 * 16 + 32 * 8);
  });

  it('I420A is read as I420 (the scaler uses Y, U, V); the alpha plane is still copied', async () => {
    const p = await readPlanes(frame({ format: 'I420A', codedWidth: 16, codedHeight: 16 }), false);
    assert.equal(p.format, 'I420');
    assert.equal(p.layout.length, 4);
    assert.equal(p.data.byteLength, 16 * 16 * 2 + 8 * 8 * 2);
  });

  it('the fallback range applies only when the frame says nothing', async () => {
    assert.equal((await readPlanes(frame({ format: 'I420', codedWidth: 16, codedHeight: 16 }), true)).fullRange, true);
    assert.equal((await readPlanes(frame({ format: 'I420', codedWidth: 16, codedHeight: 16 }), false)).fullRange, false);
    assert.equal((await readPlanes(frame({ format: 'I420', codedWidth: 16, codedHeight: 16, colorSpace: { fullRange: true } }), false)).fullRange, true);
  });

  it('without a visibleRect the display size is used', async () => {
    const p = await readPlanes(frame({ format: 'I420', codedWidth: 32, codedHeight: 32, visibleRect: null, displayWidth: 30, displayHeight: 20 }), false);
    assert.deepEqual([p.width, p.height], [30, 20]);
  });

  for (const format of ['I422', 'I444', 'I420P10' as VideoPixelFormat, 'RGBA', 'BGRA'] as const) {
    it(`refuses ${format} with an UnsupportedCodecError naming the format`, async () => {
      await assert.rejects(readPlanes(frame({ format, codedWidth: 16, codedHeight: 16 }), false), (err: unknown) => {
        assert.ok(err instanceof UnsupportedCodecError);
        assert.match(err.message, new RegExp(`^Cannot scale frame: pixel format ${format} is not supported`));
        return true;
      });
    });
  }

  it('refuses a closed frame (format null) as "unknown"', async () => {
    const f = frame({ format: 'I420', codedWidth: 16, codedHeight: 16 });
    f.close();
    await assert.rejects(readPlanes(f, false), /pixel format unknown is not supported/);
  });
});

describe('frame ownership (adopt / release / openFrameCount)', () => {
  it('counts adopted frames until released, and a second release is a no-op', () => {
    const before = openFrameCount();
    const a = new FakeVideoFrame({ format: 'I420', codedWidth: 16, codedHeight: 16 });
    const b = new FakeVideoFrame({ format: 'NV12', codedWidth: 16, codedHeight: 16 });
    adopt(a as unknown as VideoFrame);
    adopt(b as unknown as VideoFrame);
    assert.equal(openFrameCount(), before + 2);
    release(a as unknown as VideoFrame);
    assert.equal(openFrameCount(), before + 1);
    assert.equal(a.closed, 1);
    release(a as unknown as VideoFrame);
    assert.equal(a.closed, 1, 'an already closed frame is not closed again');
    assert.equal(openFrameCount(), before + 1);
    release(b as unknown as VideoFrame);
    assert.equal(openFrameCount(), before);
  });
});
