// The README's first command: with no input, the CLI transcodes a synthetic clip the page makes and
// says where the outputs are; they decode frame-exact.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCli, tempDir } from './lib/cli.ts';
import { dav1dFrameCount, ffprobe } from './lib/media.ts';

describe("the README's first command", () => {
  it('transcodes a synthetic 4 s 720p clip to 720/480/360 and prints where the files are', async () => {
    const out = tempDir('sample');
    const r = await runCli(['--out', out]);
    assert.equal(r.code, 0, r.stderr.slice(-2000));
    assert.match(r.stderr, new RegExp(`wrote 3 MP4s to ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    const s = r.summary!;
    assert.deepEqual(s.rungs.map((x) => x.label), [720, 480, 360], '1080 is dropped: never upscale a 720p source');
    assert.equal(s.decodedFrames, 100);
    for (const rung of s.rungs) {
      assert.ok(rung.file.startsWith(out));
      assert.equal(ffprobe(rung.file).streams[0]?.codec_name, 'av1');
      assert.equal(dav1dFrameCount(rung.file), 100);
    }
  });
});
