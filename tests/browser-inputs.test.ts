// Acceptance: other containers, codecs and geometry (VP9/WebM, an edit list with odd width, SAR 2:1,
// a rotation matrix) transcode with every frame and the display aspect ratio preserved.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCli, tempDir } from './lib/cli.ts';
import { MEDIA, dav1dFrameCount, ffprobe, psnrAgainstSource, sourceFrameCount } from './lib/media.ts';

const CASES = [
  // display size → expected rung at the given ladder
  { file: 'frames.webm', ladder: '720,360', sizes: [[720, 720], [360, 360]] },
  { file: 'edts.mp4', ladder: '480,360', sizes: [[854, 480], [640, 360]] },
  { file: 'sar_2x1.mp4', ladder: '1080,360', sizes: [[1280, 360]] }, // 1080 dropped: never upscale
  { file: 'rotate-buck-bunny.mp4', ladder: '720,360', sizes: [[720, 1280], [360, 640]] }, // portrait after rotation
] as const;

describe('other inputs in Chromium', () => {
  for (const c of CASES) {
    it(`${c.file}: every frame, display aspect kept`, async () => {
      const src = join(MEDIA, c.file);
      const out = tempDir(c.file.replace('.', '-'));
      const r = await runCli([src, '--out', out, '--ladder', c.ladder]);
      assert.equal(r.code, 0, `CLI failed: ${r.stderr.slice(-3000)}`);
      const s = r.summary!;
      const frames = sourceFrameCount(src);
      assert.equal(s.decodedFrames, frames, 'decodedFrames equals the source frame count');
      assert.equal(s.openFrames, 0);
      assert.deepEqual(s.rungs.map((x) => [x.width, x.height]), c.sizes.map((x) => [...x]));
      for (const rung of s.rungs) {
        const v = ffprobe(rung.file).streams.find((x) => x.codec_type === 'video')!;
        assert.equal(v.codec_name, 'av1');
        assert.deepEqual([v.width, v.height], [rung.width, rung.height]);
        assert.ok(!v.sample_aspect_ratio || v.sample_aspect_ratio === '1:1' || v.sample_aspect_ratio === '0:1', `square pixels, got ${v.sample_aspect_ratio}`);
        assert.equal(dav1dFrameCount(rung.file), frames, `${rung.file}: libdav1d frame count`);
        // Orientation and aspect are right only if the picture matches ffmpeg's own rotated, SAR-applied scale.
        const db = psnrAgainstSource(rung.file, src, rung.width, rung.height);
        console.log(`${c.file} ${rung.width}x${rung.height}: PSNR ${db.toFixed(2)} dB`);
        assert.ok(db >= 35, `${c.file} ${rung.width}x${rung.height}: PSNR ${db.toFixed(2)} dB < 35: wrong orientation, aspect or frame order?`);
      }
    });
  }
});
