// Acceptance (issue 14, constant-quality mode): `--quality high` gives a higher PSNR than
// `--quality low` on every rung, in Chromium (bitrateMode 'quantizer', per-frame AV1 quantizer) and
// in Deno (SVT-AV1's CRF); every output decodes frame-exact in libdav1d; the contract check still
// runs (the codec string comes from each rung's real sequence header); a bad --quality is a usage
// error naming the problem.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCli, runDenoCli, tempDir } from './lib/cli.ts';
import type { CliSummary } from './lib/cli.ts';
import { checkMp4Rung } from './lib/ladder-checks.ts';
import { MEDIA, dav1dFrameCount, psnrPlanesAgainstSource, videoKbps } from './lib/media.ts';

const SOURCE = join(MEDIA, 'video.mp4');
const LADDER = '480,360';
const dir = tempDir('quality-mode');

const RUNTIMES = [
  { name: 'Chromium', run: runCli },
  { name: 'Deno', run: runDenoCli },
];

describe('constant-quality mode (--quality)', () => {
  for (const rt of RUNTIMES) {
    it(`${rt.name}: --quality high beats --quality low on every rung; every output is frame-exact in libdav1d`, async () => {
      const runs = new Map<string, CliSummary>();
      for (const level of ['high', 'low']) {
        const r = await rt.run([SOURCE, '--out', join(dir, `${rt.name}-${level}`), '--ladder', LADDER, '--quality', level]);
        assert.equal(r.code, 0, r.stderr.slice(-3000));
        assert.ok(r.summary, 'a JSON summary');
        runs.set(level, r.summary);
      }
      const rows = ['high', 'low'].flatMap((level) => runs.get(level)!.rungs.map((r) => {
        checkMp4Rung(r.file, r, 125, true); // sizes, limited range, av1C = the first sample's sequence header
        const frames = dav1dFrameCount(r.file);
        return { level, label: r.label, frames, y: psnrPlanesAgainstSource(r.file, SOURCE, r.width, r.height).y, kbps: videoKbps(r.file, 5), quantizer: (r as { quantizer?: number | null }).quantizer };
      }));
      console.log(`${rt.name}: ${rows.map((x) => `${x.label}p ${x.level} (q ${x.quantizer}) ${x.y.toFixed(2)} dB ${x.kbps.toFixed(0)} kbit/s ${x.frames} frames`).join('; ')}`);
      for (const x of rows) assert.equal(x.frames, 125, `${x.label}p ${x.level}: libdav1d frames`);
      for (const label of [480, 360]) {
        const high = rows.find((x) => x.level === 'high' && x.label === label)!;
        const low = rows.find((x) => x.level === 'low' && x.label === label)!;
        assert.ok(high.y > low.y, `${label}p: high ${high.y} dB should beat low ${low.y} dB`);
        assert.ok(high.kbps > low.kbps, `${label}p: high spends more bits (${high.kbps} vs ${low.kbps} kbit/s)`);
        assert.equal(high.quantizer, 24);
        assert.equal(low.quantizer, 42);
      }
    });
  }

  it('a bad --quality is a usage error naming it, in both CLIs', async () => {
    for (const rt of RUNTIMES) {
      for (const bad of ['best', '30,99', '30']) {
        const r = await rt.run([SOURCE, '--out', join(dir, `bad-${rt.name}`), '--ladder', LADDER, '--quality', bad]);
        assert.notEqual(r.code, 0, `${rt.name} --quality ${bad} should fail`);
        assert.match(r.stderr, /--quality/, `${rt.name} --quality ${bad}: ${r.stderr.slice(-500)}`);
      }
    }
  });
});
