// Acceptance for HLS: video.mp4 → a 4-rung CMAF ladder with an AAC rendition through the browser
// CLI, read by m3u8-parser, decoded by ffmpeg/libdav1d, and played by hls.js in Chromium.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { before, describe, it } from 'node:test';
import { codecString, contractFromSequenceHeader, findSequenceHeader, parseAv1C } from '../src/av1/mod.ts';
import { findPaths } from '../src/mux/boxes.ts';
import { runCli, tempDir } from './lib/cli.ts';
import type { CliSummary } from './lib/cli.ts';
import { parseM3u8 } from './lib/m3u8.ts';
import type { ParsedManifest } from './lib/m3u8.ts';
import { MEDIA, dav1dFrameCount, decodedAudioSeconds, ffprobe } from './lib/media.ts';
import { playHls } from './lib/hls-player.ts';

const SOURCE = join(MEDIA, 'video.mp4');
const FRAME_S = 1 / 25;

describe('HLS ladder from video.mp4 in Chromium', () => {
  const out = tempDir('hls-out');
  let summary: CliSummary & { master?: string };
  let master: ParsedManifest;
  const media = new Map<string, ParsedManifest>();
  const read = (rel: string) => readFileSync(join(out, rel), 'utf8');

  before(async () => {
    const r = await runCli([SOURCE, '--out', out, '--format', 'hls', '--ladder', '1080,720,480,360', '--leases', '2']);
    assert.equal(r.code, 0, r.stderr.slice(-3000));
    summary = r.summary!;
    master = parseM3u8(read('master.m3u8'));
    for (const p of master.playlists ?? []) media.set(p.uri, parseM3u8(read(p.uri)));
  });

  it('m3u8-parser reads the master and every media playlist; every listed file exists', () => {
    assert.equal(summary.master, join(out, 'master.m3u8'));
    assert.equal(master.playlists?.length, 4);
    const audio = Object.values(master.mediaGroups?.AUDIO ?? {}).flatMap((g) => Object.values(g));
    assert.equal(audio.length, 1, 'one audio rendition');
    const lists = [...(master.playlists ?? []), ...(master.iFramePlaylists ?? [])].map((p) => p.uri).concat(audio.map((a) => a.uri!));
    for (const uri of lists) {
      const m = parseM3u8(read(uri));
      assert.equal(m.endList, true, `${uri}: ENDLIST`);
      assert.ok(m.targetDuration! >= Math.max(...m.segments.map((s) => Math.round(s.duration))), `${uri}: TARGETDURATION`);
      for (const s of m.segments) {
        assert.ok(existsSync(join(out, dirname(uri), s.uri)), `${uri}: ${s.uri} exists`);
        assert.ok(s.map && existsSync(join(out, dirname(uri), s.map.uri)), `${uri}: EXT-X-MAP exists`);
      }
    }
    assert.equal(master.iFramePlaylists?.length, 4, 'an I-frame playlist per rung');
  });

  it('segment boundaries are identical across rungs, and EXTINFs add up to the duration within a frame', () => {
    const durations = [...media.values()].map((m) => m.segments.map((s) => s.duration.toFixed(6)));
    for (const d of durations) assert.deepEqual(d, durations[0]);
    const total = [...media.values()][0]!.segments.reduce((n, s) => n + s.duration, 0);
    assert.ok(Math.abs(total - 5) <= FRAME_S, `EXTINF sum ${total}`);
  });

  it('ffprobe opens master.m3u8 and libdav1d decodes 125 frames from every rung', () => {
    const streams = ffprobe(join(out, 'master.m3u8')).streams;
    assert.deepEqual(new Set(streams.filter((s) => s.codec_type === 'video').map((s) => `${s.width}x${s.height}`)), new Set(['1920x1080', '1280x720', '854x480', '640x360']));
    assert.ok(streams.some((s) => s.codec_name === 'aac'));
    for (const p of master.playlists ?? []) assert.equal(dav1dFrameCount(join(out, p.uri)), 125, p.uri);
  });

  it('AVERAGE-BANDWIDTH matches the bytes on disk within 10%, and CODECS matches the sequence header', () => {
    const audioUri = Object.values(master.mediaGroups!.AUDIO).flatMap((g) => Object.values(g))[0]!.uri!;
    const audio = parseM3u8(read(audioUri));
    const bytesOf = (uri: string, m: ParsedManifest) => m.segments.reduce((n, s) => n + statSync(join(out, dirname(uri), s.uri)).size, 0);
    const audioBits = bytesOf(audioUri, audio) * 8;
    for (const p of master.playlists ?? []) {
      const m = media.get(p.uri)!;
      const seconds = m.segments.reduce((n, s) => n + s.duration, 0);
      const measured = (bytesOf(p.uri, m) * 8 + audioBits) / seconds;
      const declared = Number(p.attributes['AVERAGE-BANDWIDTH']);
      assert.ok(Math.abs(measured - declared) <= 0.1 * declared, `${p.uri}: measured ${measured.toFixed(0)} vs AVERAGE-BANDWIDTH ${declared}`);
      assert.ok(Number(p.attributes.BANDWIDTH) >= declared);
      const init = new Uint8Array(readFileSync(join(out, dirname(p.uri), m.segments[0]!.map!.uri)));
      const av1cBox = findPaths(init, ['moov', 'trak', 'mdia', 'minf', 'stbl', 'stsd', 'av01', 'av1C'])[0]!.at(-1)!;
      const av1c = parseAv1C(init.subarray(av1cBox.start + av1cBox.header, av1cBox.end));
      const sh = findSequenceHeader(av1c.configOBUs)!.header;
      assert.equal(String(p.attributes.CODECS).split(',')[0], codecString(contractFromSequenceHeader(sh)), `${p.uri}: CODECS`);
      assert.equal(av1c.seqLevelIdx0, sh.operatingPoints[0]!.seqLevelIdx);
    }
  });

  it("the audio rendition decodes in ffmpeg to the source's audio duration within 50 ms", () => {
    const audioUri = Object.values(master.mediaGroups!.AUDIO).flatMap((g) => Object.values(g))[0]!.uri!;
    const us = decodedAudioSeconds(join(out, audioUri)) * 1e6;
    const source = Number(ffprobe(SOURCE).streams.find((x) => x.codec_type === 'audio')!.duration);
    console.log(`audio rendition ${(us / 1e6).toFixed(3)} s, source audio ${source.toFixed(3)} s`);
    assert.ok(Math.abs(us / 1e6 - source) <= 0.05, `audio ${us / 1e6} s vs source ${source} s`);
  });

  it('hls.js plays master.m3u8 past 4 s, switching to every rung, with no fatal error', async () => {
    const r = await playHls(out, 4);
    console.log(`hls.js: currentTime ${r.currentTime.toFixed(2)} s, levels ${r.levels}, switched to ${r.switched.sort().join(',')}`);
    assert.deepEqual(r.fatal, []);
    assert.deepEqual(r.pageErrors, []);
    assert.equal(r.levels, 4);
    assert.deepEqual(r.switched.sort(), [0, 1, 2, 3], 'every rung was switched to');
    assert.ok(r.currentTime > 4, `currentTime ${r.currentTime}`);
  });
});
