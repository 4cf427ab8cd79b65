// Acceptance: video.mp4 (1080p H.264, full range, AAC) → 1080/720/480/360 AV1 MP4s through the
// browser CLI, verified with ffprobe, libdav1d and ffmpeg's PSNR.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { runCli, tempDir } from './lib/cli.ts';
import type { CliSummary } from './lib/cli.ts';
import { checkMp4Rung, checkPsnr } from './lib/ladder-checks.ts';
import { MEDIA } from './lib/media.ts';

const SOURCE = join(MEDIA, 'video.mp4');
const EXPECTED = [
  { label: 1080, width: 1920, height: 1080 },
  { label: 720, width: 1280, height: 720 },
  { label: 480, width: 854, height: 480 },
  { label: 360, width: 640, height: 360 },
];

describe('video.mp4 → 1080/720/480/360 AV1 ladder in Chromium, 2 leases', () => {
  let summary: CliSummary;
  const out = tempDir('ladder');

  before(async () => {
    const r = await runCli([SOURCE, '--out', out, '--ladder', '1080,720,480,360', '--leases', '2', '--chunk-seconds', '1']);
    assert.equal(r.code, 0, `CLI failed: ${r.stderr.slice(-3000)}`);
    assert.ok(r.summary, `no JSON summary line: ${r.stdout.slice(-500)}`);
    summary = r.summary;
    console.log(`ladder wall ${summary.wallMs} ms; ${r.stderr.split('\n').filter((l) => l.startsWith('rung')).join('; ')}`);
  });

  it('decodes every source frame exactly once and leaves no VideoFrame open', () => {
    assert.equal(summary.decodedFrames, 125);
    assert.equal(summary.openFrames, 0);
    assert.deepEqual(summary.rungs.map((r) => ({ label: r.label, width: r.width, height: r.height })), EXPECTED);
  });

  it('a lease from another rung helped the 1080p rung, and every chunk records its encoder', () => {
    const top = summary.rungs[0]!;
    const helpers = top.chunks.filter((c) => c.helper);
    console.log(`1080p chunks: ${top.chunks.map((c) => `#${c.index}@lease${c.leaseId}${c.helper ? '(helper)' : ''}`).join(' ')}`);
    assert.ok(helpers.length >= 1, 'at least one helper chunk on the 1080p rung');
    assert.equal(new Set(top.chunks.map((c) => c.leaseId)).size, 2, 'both leases worked on the 1080p rung');
    for (const r of summary.rungs) {
      assert.deepEqual(r.chunks.map((c) => c.index), [0, 1, 2, 3, 4], `${r.label}p: 1 s chunks of a 5 s source, in order`);
      for (const c of r.chunks) assert.match(c.encoder, /^webcodecs:(software|hardware)$/);
    }
  });

  it('gives four AV1 MP4s at the expected sizes (ffprobe, limited range), each with 125 frames (libdav1d), audio carried, av1C = the first sample\'s sequence header', () => {
    for (const r of summary.rungs) {
      checkMp4Rung(r.file, r, 125, true);
      assert.equal(r.frames, 125);
    }
  });

  it('reaches at least 35 dB PSNR per rung against the ffmpeg-scaled source (range-correct)', () => {
    for (const r of summary.rungs) {
      const db = checkPsnr(r.file, SOURCE, r, 35);
      console.log(`PSNR ${r.label}p: ${db.toFixed(2)} dB (${(r.bytes * 8 / 5 / 1000).toFixed(0)} kbit/s)`);
    }
  });
});
