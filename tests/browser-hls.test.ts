// Acceptance for HLS and DASH: video.mp4 → a 4-rung CMAF ladder with an AAC rendition through the
// browser CLI with --format cmaf (one set of segments, master.m3u8 and manifest.mpd over it), read by
// m3u8-parser and DOMParser, decoded by ffmpeg/libdav1d, and played by hls.js and dash.js in Chromium.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { runCli, tempDir } from './lib/cli.ts';
import type { CliSummary } from './lib/cli.ts';
import {
  checkHlsAudioDuration, checkHlsBandwidthAndCodecs, checkHlsBoundaries, checkHlsDecodes, checkHlsPlayback, checkHlsPlaylists, readHlsLadder,
} from './lib/ladder-checks.ts';
import type { HlsLadder } from './lib/ladder-checks.ts';
import {
  checkDashAudioDuration, checkDashBandwidth, checkDashDecodes, checkDashManifest, checkDashPlayback, checkDashTimeline, checkSharedSegments, readDashLadder,
} from './lib/dash-checks.ts';
import type { DashLadder } from './lib/dash-checks.ts';
import { MEDIA } from './lib/media.ts';

const SOURCE = join(MEDIA, 'video.mp4');
const FRAME_S = 1 / 25;
const RUNGS = [{ width: 1920, height: 1080 }, { width: 1280, height: 720 }, { width: 854, height: 480 }, { width: 640, height: 360 }];

describe('HLS and DASH (--format cmaf) ladder from video.mp4 in Chromium', () => {
  const out = tempDir('hls-out');
  let summary: CliSummary & { master?: string; mpd?: string };
  let ladder: HlsLadder;
  let dash: DashLadder;

  before(async () => {
    const r = await runCli([SOURCE, '--out', out, '--format', 'cmaf', '--ladder', '1080,720,480,360', '--leases', '2']);
    assert.equal(r.code, 0, r.stderr.slice(-3000));
    summary = r.summary!;
    ladder = readHlsLadder(out);
    dash = await readDashLadder(out);
  });

  it('m3u8-parser reads the master and every media playlist; every listed file exists', () => {
    assert.equal(summary.master, join(out, 'master.m3u8'));
    checkHlsPlaylists(out, ladder, 4, true);
  });

  it('segment boundaries are identical across rungs, and EXTINFs add up to the duration within a frame', () => {
    checkHlsBoundaries(ladder, 5, FRAME_S);
  });

  it('ffprobe opens master.m3u8 and libdav1d decodes 125 frames from every rung', () => {
    checkHlsDecodes(out, ladder, RUNGS, 125, true);
  });

  it('AVERAGE-BANDWIDTH matches the bytes on disk within 10%, and CODECS matches the sequence header', () => {
    checkHlsBandwidthAndCodecs(out, ladder);
  });

  it("the audio rendition decodes in ffmpeg to the source's audio duration within 50 ms", () => {
    const a = checkHlsAudioDuration(out, ladder, SOURCE, 0.05);
    console.log(`audio rendition ${a.rendition.toFixed(3)} s, source audio ${a.source.toFixed(3)} s`);
  });

  it('hls.js plays master.m3u8 past 4 s, switching to every rung, with no fatal error', async () => {
    const r = await checkHlsPlayback(out, 4, 4);
    console.log(`hls.js: currentTime ${r.currentTime.toFixed(2)} s, levels ${r.levels}, switched to ${r.switched.sort().join(',')}`);
  });

  it('DOMParser reads manifest.mpd: one video AdaptationSet of 4 Representations (codecs = sequence header), one audio; every file exists', () => {
    assert.equal(summary.mpd, join(out, 'manifest.mpd'));
    checkDashManifest(out, dash, RUNGS, '25', true);
  });

  it('the MPD and the HLS playlists list the very same segment files', () => {
    checkSharedSegments(out, ladder, dash);
  });

  it('SegmentTimelines are contiguous from 0, match across rungs and add up to the duration within a frame; @bandwidth is the peak segment rate', () => {
    checkDashTimeline(dash, 5, FRAME_S);
    checkDashBandwidth(out, dash);
  });

  it('ffprobe opens manifest.mpd; libdav1d decodes 125 frames from each Representation; the audio decodes to the source duration', () => {
    checkDashDecodes(out, dash, RUNGS, 125, true);
    checkDashAudioDuration(out, dash, SOURCE, 0.05);
  });

  it('dash.js plays manifest.mpd past 4 s, rendering every Representation after a switch, with no error', async () => {
    const r = await checkDashPlayback(out, 4, 4);
    console.log(`dash.js: currentTime ${r.currentTime.toFixed(2)} s, rendered ${r.rendered.join(',')}`);
  });
});
