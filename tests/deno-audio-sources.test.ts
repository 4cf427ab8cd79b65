// Acceptance for issue 18 under Deno (the Deno CLI, as a user runs it): the sources of
// tests/browser-audio-sources.test.ts go to MP4 and HLS with one 180p rung. ADTS AAC (stereo, 5.1,
// CRC-protected) is carried bit-exact with no audio codec at all. MP3, FLAC and AC-3 are
// re-encoded as Opus through the engine's WebCodecs audio classes over node-av
// (src/platform/deno/audio-*.ts) and checked like the Chromium ones.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright';
import { launchChromium } from '../tools/harness.ts';
import { SOURCE_FPS, SOURCE_SECONDS, audioOutput, checkAudioAgainstSource, makeAudioSource } from './lib/audio-sources.ts';
import type { AudioSourceName } from './lib/audio-sources.ts';
import { runDenoCli, tempDir } from './lib/cli.ts';
import { playHls } from './lib/hls-player.ts';
import { dav1dFrameCount, ffprobe } from './lib/media.ts';

const FRAMES = SOURCE_SECONDS * SOURCE_FPS;

interface Summary { audio: { action: string; source: { codec: string } | null; output: { codec: string; numberOfChannels: number } | null } | null; notices: string[] }

describe('issue 18 audio sources under Deno (deno task transcode, one 180p rung)', () => {
  const dir = tempDir('deno-audio18-src');
  let browser: Browser | undefined;
  after(async () => { await browser?.close(); });

  async function cli(name: AudioSourceName, format: 'mp4' | 'hls', extra: string[] = []) {
    const source = makeAudioSource(dir, name);
    const out = tempDir(`deno-audio18-${name.replace('.', '-')}-${format}`);
    const r = await runDenoCli([source, '--out', out, '--format', format, '--ladder', '180', '--leases', '1', ...extra]);
    return { ...r, out, source, summary: r.summary as unknown as Summary | null };
  }

  const cases: Array<{ name: AudioSourceName; codec: 'aac' | 'opus'; channels: number; formats: Array<'mp4' | 'hls'> }> = [
    { name: 'aac-stereo.ts', codec: 'aac', channels: 2, formats: ['mp4', 'hls'] },
    { name: 'aac-51.ts', codec: 'aac', channels: 6, formats: ['mp4', 'hls'] },
    { name: 'aac-crc.ts', codec: 'aac', channels: 2, formats: ['mp4'] },
    // These three are re-encoded by the Deno WebCodecs audio classes.
    { name: 'mp3.ts', codec: 'opus', channels: 2, formats: ['mp4', 'hls'] },
    { name: 'flac.mkv', codec: 'opus', channels: 2, formats: ['mp4', 'hls'] },
    { name: 'ac3.mp4', codec: 'opus', channels: 2, formats: ['mp4', 'hls'] },
  ];
  for (const c of cases) {
    for (const format of c.formats) {
      it(`${c.name} → ${format}: audio ${c.codec === 'aac' ? 'carried bit-exact' : 're-encoded as Opus'}, durations within 50 ms${format === 'hls' ? ', hls.js plays it' : ''}`, async () => {
        const r = await cli(c.name, format);
        assert.equal(r.code, 0, r.stderr.slice(-3000));
        assert.equal(r.summary?.audio?.action, c.codec === 'aac' ? 'carried' : 're-encoded');
        assert.equal(r.summary?.audio?.output?.codec, c.codec);
        assert.equal(r.summary?.audio?.output?.numberOfChannels, c.channels);
        assert.match(r.summary!.notices.join('\n'), c.codec === 'aac' ? /Audio carried without re-encoding: .*ADTS headers stripped/ : /Audio re-encoded: .* as Opus/);
        console.log(checkAudioAgainstSource({ dir, source: r.source, output: audioOutput(r.out, format, 180), codec: c.codec, bitExact: c.codec === 'aac' }));
        if (format === 'mp4') {
          assert.equal(dav1dFrameCount(join(r.out, '180p.mp4')), FRAMES);
        } else {
          browser ??= await launchChromium();
          const p = await playHls(r.out, 1, browser);
          console.log(`hls.js: currentTime ${p.currentTime.toFixed(2)} s, ${p.audioTracks} audio track(s), ${p.audioBuffered.toFixed(2)} s of audio buffered`);
          assert.deepEqual(p.fatal, []);
          assert.deepEqual(p.pageErrors, []);
          assert.equal(p.audioTracks, 1);
          assert.ok(p.audioBuffered >= SOURCE_SECONDS - 0.1, `MSE took ${p.audioBuffered} s of audio`);
        }
      });
    }
  }

  it('--audio drop on AC-3 → a video-only MP4, a notice, and audio "dropped" in the JSON summary (no audio codec needed)', async () => {
    const r = await cli('ac3.mp4', 'mp4', ['--audio', 'drop']);
    assert.equal(r.code, 0, r.stderr.slice(-3000));
    assert.equal(r.summary?.audio?.action, 'dropped');
    assert.equal(r.summary?.audio?.source?.codec, 'ac3');
    assert.match(r.summary!.notices.join('\n'), /^Audio dropped \(audio: 'drop'\): the source's ac3, 48000 Hz, 2 ch is not in the outputs$/m);
    assert.deepEqual(ffprobe(join(r.out, '180p.mp4')).streams.map((s) => s.codec_type), ['video']);
    assert.equal(dav1dFrameCount(join(r.out, '180p.mp4')), FRAMES);
  });

  it('--audio drop on MP3 gives the video ladder alone', async () => {
    const r = await cli('mp3.ts', 'hls', ['--audio', 'drop']);
    assert.equal(r.code, 0, r.stderr.slice(-3000));
    assert.equal(r.summary?.audio?.action, 'dropped');
    assert.doesNotMatch(ffprobe(join(r.out, 'master.m3u8')).streams.map((s) => s.codec_type).join(','), /audio/);
  });

  it('--audio require on a source with no audio fails with NoAudioTrackError before decoding, leaving nothing', async () => {
    const r = await cli('silent.mp4', 'mp4', ['--audio', 'require']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^error: NoAudioTrackError: Input has no audio track .*audio: 'require'/m);
    assert.doesNotMatch(r.stderr, /rung|decoded/);
  });
});
