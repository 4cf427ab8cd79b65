// Acceptance for issue 18 in Chromium: sources made with ffmpeg from ../shared/media (ADTS AAC in
// MPEG-TS, stereo, 5.1 and CRC-protected; MP3 in MPEG-TS; FLAC in Matroska, since Chromium here
// cannot decode AC-3) go to MP4 and HLS with one 180p rung. ADTS AAC is carried bit-exact, MP3 and
// FLAC are re-encoded as Opus; ffmpeg and ffprobe agree with the source's audio duration within
// 50 ms, and hls.js plays each HLS ladder with its audio rendition. The audio option: 'auto' fails
// on AC-3 with the hint to drop it, --audio drop gives video-only outputs with a notice, 'require'
// on a source without audio fails before decoding. One Chromium serves every job and playback.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright';
import { ensureBuild, launchChromium, openHarness, runJob, serve } from '../tools/harness.ts';
import type { JobReply } from '../tools/harness.ts';
import { SOURCE_FPS, SOURCE_SECONDS, audioOutput, checkAudioAgainstSource, makeAudioSource } from './lib/audio-sources.ts';
import type { AudioSourceName } from './lib/audio-sources.ts';
import { runCli, tempDir } from './lib/cli.ts';
import { playHls } from './lib/hls-player.ts';
import { dav1dFrameCount, ffprobe } from './lib/media.ts';

const FRAMES = SOURCE_SECONDS * SOURCE_FPS;

describe('issue 18 audio sources in Chromium (one 180p rung)', () => {
  const dir = tempDir('audio18-src');
  let browser: Browser;
  before(async () => {
    await ensureBuild();
    browser = await launchChromium();
  });
  after(async () => { await browser?.close(); });

  async function job(name: AudioSourceName, format: 'mp4' | 'hls', audio?: 'auto' | 'drop' | 'require'): Promise<{ reply: JobReply; out: string; source: string }> {
    const source = makeAudioSource(dir, name);
    const out = tempDir(`audio18-${name.replace('.', '-')}-${format}`);
    const server = await serve({ inputPath: source, outDir: out });
    try {
      const { page, errors } = await openHarness(browser, server.origin);
      const reply = await runJob(page, { inputUrl: `${server.origin}/input`, uploadBase: `${server.origin}/out/`, ladder: [180], leases: 1, chunkSeconds: 1, format, ...(audio ? { audio } : {}) });
      await page.close();
      assert.deepEqual(errors.pageErrors, [], 'no uncaught page errors');
      return { reply, out, source };
    } finally {
      await server.close();
    }
  }

  const notices = (r: JobReply) => r.events.flatMap((e) => (e.type === 'job-start' ? e.notices : []));

  const cases: Array<{ name: AudioSourceName; codec: 'aac' | 'opus'; channels: number }> = [
    { name: 'aac-stereo.ts', codec: 'aac', channels: 2 },
    { name: 'aac-51.ts', codec: 'aac', channels: 6 },
    { name: 'mp3.ts', codec: 'opus', channels: 2 },
    { name: 'flac.mkv', codec: 'opus', channels: 2 },
  ];
  for (const c of cases) {
    for (const format of ['mp4', 'hls'] as const) {
      it(`${c.name} → ${format}: audio ${c.codec === 'aac' ? 'carried bit-exact' : 're-encoded as Opus'}, durations within 50 ms${format === 'hls' ? ', hls.js plays it' : ''}`, async () => {
        const { reply, out, source } = await job(c.name, format);
        assert.ok(reply.ok, `${reply.error?.name}: ${reply.error?.message}`);
        const action = c.codec === 'aac' ? 'carried' : 're-encoded';
        assert.equal(reply.audio?.action, action);
        assert.equal(reply.audio?.output?.codec, c.codec);
        assert.equal(reply.audio?.output?.numberOfChannels, c.channels);
        assert.match(notices(reply).join('\n'), c.codec === 'aac' ? /Audio carried without re-encoding: .*ADTS headers stripped/ : /Audio re-encoded: .* as Opus/);
        console.log(checkAudioAgainstSource({ dir, source, output: audioOutput(out, format, 180), codec: c.codec, bitExact: c.codec === 'aac' }));
        if (format === 'mp4') {
          assert.equal(dav1dFrameCount(join(out, '180p.mp4')), FRAMES);
        } else {
          const p = await playHls(out, 1, browser);
          console.log(`hls.js: currentTime ${p.currentTime.toFixed(2)} s, ${p.audioTracks} audio track(s), ${p.audioBuffered.toFixed(2)} s of audio buffered`);
          assert.deepEqual(p.fatal, []);
          assert.deepEqual(p.pageErrors, []);
          assert.equal(p.audioTracks, 1, 'the audio rendition is an hls.js audio track');
          assert.ok(p.audioBuffered >= SOURCE_SECONDS - 0.1, `MSE took ${p.audioBuffered} s of audio`);
          assert.ok(p.currentTime > 1, `currentTime ${p.currentTime}`);
        }
      });
    }
  }

  it('CRC-protected ADTS (9-byte headers) → mp4: the CRCs are stripped with the headers, frames bit-exact', async () => {
    const { reply, out, source } = await job('aac-crc.ts', 'mp4');
    assert.ok(reply.ok, `${reply.error?.name}: ${reply.error?.message}`);
    assert.equal(reply.audio?.action, 'carried');
    console.log(checkAudioAgainstSource({ dir, source, output: join(out, '180p.mp4'), codec: 'aac', bitExact: true }));
  });

  it("AC-3 (no AudioDecoder for it here) with 'auto' fails before decoding, naming the audio and the --audio drop way out", async () => {
    const { reply, out } = await job('ac3.mp4', 'mp4');
    assert.equal(reply.ok, false);
    assert.equal(reply.error?.name, 'UnsupportedCodecError');
    assert.match(reply.error!.message, /^Cannot carry the source's ac3 audio .*: this runtime cannot decode it .*--audio drop/);
    assert.equal(reply.events.filter((e) => e.type === 'decode').length, 0, 'no video was decoded');
    assert.deepEqual(readdirSync(out), []);
  });

  it("--audio require on a source with no audio fails with NoAudioTrackError before decoding", async () => {
    const { reply } = await job('silent.mp4', 'mp4', 'require');
    assert.equal(reply.ok, false);
    assert.equal(reply.error?.name, 'NoAudioTrackError');
    assert.deepEqual(reply.events.map((e) => e.type), [], 'no job-start, nothing decoded');
  });

  it('--audio drop (browser CLI) on AC-3 → a video-only MP4, with a notice, and audio "dropped" in the JSON summary', async () => {
    const source = makeAudioSource(dir, 'ac3.mp4');
    const out = tempDir('audio18-drop');
    const r = await runCli([source, '--out', out, '--ladder', '180', '--leases', '1', '--audio', 'drop']);
    assert.equal(r.code, 0, r.stderr.slice(-3000));
    assert.match(r.stderr, /^note: Audio dropped \(audio: 'drop'\): the source's ac3, 48000 Hz, 2 ch is not in the outputs$/m);
    const summary = r.summary as unknown as { audio: { action: string; source: { codec: string }; output: null } };
    assert.equal(summary.audio.action, 'dropped');
    assert.equal(summary.audio.source.codec, 'ac3');
    assert.equal(summary.audio.output, null);
    assert.deepEqual(ffprobe(join(out, '180p.mp4')).streams.map((s) => s.codec_type), ['video']);
    assert.equal(dav1dFrameCount(join(out, '180p.mp4')), FRAMES);
  });
});
