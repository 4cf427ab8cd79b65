// Acceptance for audio that cannot be passed through: sources made here with ffmpeg (Vorbis in
// WebM, MP3 in MP4) are re-encoded as Opus by WebCodecs in Chromium and carried in the HLS audio
// rendition and in each rung's MP4; an Opus source is carried as it is. ffmpeg decodes every
// result to the source's audio duration within 50 ms, and hls.js plays the HLS ladder.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { runCli, tempDir } from './lib/cli.ts';
import type { CliSummary } from './lib/cli.ts';
import { playHls } from './lib/hls-player.ts';
import { parseM3u8 } from './lib/m3u8.ts';
import { audioMeanVolumeDb, dav1dFrameCount, decodedAudioSeconds, ffprobe } from './lib/media.ts';

const SECONDS = 3;

/** A 3 s, 25 fps clip with a 440 Hz tone, made by ffmpeg. */
function makeSource(dir: string, name: string, video: string[], audio: string[]): string {
  const file = join(dir, name);
  execFileSync('ffmpeg', ['-v', 'error', '-y',
    '-f', 'lavfi', '-i', `testsrc2=size=320x240:rate=25:duration=${SECONDS}`,
    '-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=44100:duration=${SECONDS}`,
    '-ac', '2', ...video, ...audio, '-shortest', file]);
  return file;
}

function sourceAudio(file: string): { codec: string; seconds: number } {
  const a = ffprobe(file).streams.find((s) => s.codec_type === 'audio');
  assert.ok(a, `${file}: the source has audio`);
  return { codec: a.codec_name, seconds: Number(a.duration ?? ffprobe(file).format.duration) };
}

function audioRenditionUri(out: string): { uri: string; codecs: string[] } {
  const master = parseM3u8(readFileSync(join(out, 'master.m3u8'), 'utf8'));
  const renditions = Object.values(master.mediaGroups?.AUDIO ?? {}).flatMap((g) => Object.values(g));
  assert.equal(renditions.length, 1, 'one audio rendition');
  return { uri: renditions[0]!.uri!, codecs: (master.playlists ?? []).map((p) => String(p.attributes.CODECS)) };
}

describe('audio re-encoded or passed through, in Chromium', () => {
  const dir = tempDir('audio-src');
  const vp9 = ['-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '500k'];
  const h264 = ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'];

  describe('Vorbis in WebM → HLS', () => {
    const out = tempDir('audio-vorbis-hls');
    let source = '';
    let summary: CliSummary;
    before(async () => {
      source = makeSource(dir, 'vorbis.webm', vp9, ['-c:a', 'libvorbis']);
      const r = await runCli([source, '--out', out, '--format', 'hls', '--ladder', '240,144', '--leases', '2', '--chunk-seconds', '1']);
      assert.equal(r.code, 0, r.stderr.slice(-3000));
      summary = r.summary!;
    });

    it('the rendition is Opus, listed in CODECS, and decodes to the source duration within 50 ms, not silent', () => {
      const src = sourceAudio(source);
      assert.equal(src.codec, 'vorbis');
      const { uri, codecs } = audioRenditionUri(out);
      for (const c of codecs) assert.match(c, /^av01\.[^,]+,opus$/, `CODECS ${c}`);
      const file = join(out, uri.replace(/audio\.m3u8$/, 'init.mp4'));
      assert.equal(ffprobe(file).streams[0]?.codec_name, 'opus', 'the init segment declares Opus (dOps)');
      const seconds = decodedAudioSeconds(join(out, uri));
      const volume = audioMeanVolumeDb(join(out, uri));
      console.log(`vorbis → opus rendition: ${seconds.toFixed(3)} s (source ${src.seconds.toFixed(3)} s), mean volume ${volume} dB`);
      assert.ok(Math.abs(seconds - src.seconds) <= 0.05, `audio ${seconds} s vs source ${src.seconds} s`);
      assert.ok(volume > -30, `the tone survived (mean ${volume} dB)`);
    });

    it('every rung still has every frame (libdav1d)', () => {
      for (const r of summary.rungs) assert.equal(r.frames, SECONDS * 25);
      assert.equal(summary.decodedFrames, SECONDS * 25);
    });

    it('hls.js plays the ladder with the Opus rendition, with no fatal error', async () => {
      const r = await playHls(out, 2);
      console.log(`hls.js: currentTime ${r.currentTime.toFixed(2)} s, levels ${r.levels}`);
      assert.deepEqual(r.fatal, []);
      assert.deepEqual(r.pageErrors, []);
      assert.ok(r.currentTime > 2, `currentTime ${r.currentTime}`);
    });
  });

  describe('MP3 in MP4 → MP4 per rung', () => {
    const out = tempDir('audio-mp3-mp4');
    let source = '';
    let summary: CliSummary;
    before(async () => {
      source = makeSource(dir, 'mp3.mp4', h264, ['-c:a', 'libmp3lame', '-b:a', '128k']);
      const r = await runCli([source, '--out', out, '--format', 'mp4', '--ladder', '240', '--leases', '1']);
      assert.equal(r.code, 0, r.stderr.slice(-3000));
      summary = r.summary!;
    });

    it('each MP4 carries the audio as Opus, decoding to the source duration within 50 ms', () => {
      const src = sourceAudio(source);
      assert.equal(src.codec, 'mp3');
      for (const r of summary.rungs) {
        const a = ffprobe(r.file).streams.find((s) => s.codec_type === 'audio');
        assert.equal(a?.codec_name, 'opus', `${r.file}: audio re-encoded as Opus, not dropped`);
        const seconds = decodedAudioSeconds(r.file);
        console.log(`mp3 → opus in ${r.label}p.mp4: ${seconds.toFixed(3)} s (source ${src.seconds.toFixed(3)} s)`);
        assert.ok(Math.abs(seconds - src.seconds) <= 0.05, `audio ${seconds} s vs source ${src.seconds} s`);
        assert.ok(audioMeanVolumeDb(r.file) > -30, 'the tone survived');
        assert.equal(dav1dFrameCount(r.file), SECONDS * 25);
      }
    });
  });

  describe('Opus in WebM → HLS, passed through', () => {
    const out = tempDir('audio-opus-hls');
    let source = '';
    before(async () => {
      source = makeSource(dir, 'opus.webm', vp9, ['-c:a', 'libopus', '-b:a', '96k']);
      const r = await runCli([source, '--out', out, '--format', 'hls', '--ladder', '144', '--leases', '1', '--chunk-seconds', '1']);
      assert.equal(r.code, 0, r.stderr.slice(-3000));
    });

    it('the rendition holds the source packets unchanged and decodes to the source duration within 50 ms', () => {
      const src = sourceAudio(source);
      assert.equal(src.codec, 'opus');
      const { uri } = audioRenditionUri(out);
      const packets = (file: string) => execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'a:0', '-show_entries', 'packet=size', '-of', 'csv=p=0', file], { encoding: 'utf8' }).trim().split('\n').map((l) => l.split(',')[0]);
      assert.deepEqual(packets(join(out, uri)), packets(source), 'same packet sizes in the same order: not re-encoded');
      const seconds = decodedAudioSeconds(join(out, uri));
      console.log(`opus passthrough: ${seconds.toFixed(3)} s (source ${src.seconds.toFixed(3)} s)`);
      assert.ok(Math.abs(seconds - src.seconds) <= 0.05, `audio ${seconds} s vs source ${src.seconds} s`);
    });
  });
});
