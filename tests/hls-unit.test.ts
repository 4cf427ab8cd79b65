// The HLS building blocks on real streams: libaom AV1 and ffmpeg AAC cut into CMAF segments and
// listed in media, I-frame and master playlists, then checked by tools nobody here wrote:
// m3u8-parser for the playlists, ffprobe and ffmpeg (libdav1d) for the segments.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { ALL_FORMATS, BufferSource, EncodedPacketSink, Input } from 'mediabunny';
import { buildAv1C, findSequenceHeader } from '../src/av1/mod.ts';
import { TranscodeError } from '../src/errors.ts';
import {
  audioInitSegment, dOpsFromOpusHead, iframeBitrates, iframePlaylist, masterPlaylist, mediaPlaylist, mediaSegment, segmentBitrates,
  videoInitSegment,
} from '../src/hls/mod.ts';
import type { IFrameSegment, PlaylistSegment } from '../src/hls/mod.ts';
import { children, findPaths, readBoxes } from '../src/mux/isobmff.ts';
import { withoutTemporalDelimiters } from '../src/mux/mp4.ts';
import { tempDir } from './lib/cli.ts';
import { parseM3u8 as parse } from './lib/m3u8.ts';
import { dav1dFrameCount, ffprobe } from './lib/media.ts';

const dir = tempDir('hls');
const FRAMES = 100;
const GOP = 50;
const TIMESCALE = 90_000;
const FRAME_TICKS = TIMESCALE / 25;
const CODECS = 'av01.0.08M.08,mp4a.40.2';


function md5(b: Uint8Array): string {
  return createHash('md5').update(b).digest('hex');
}

function run(cmd: string, args: string[]): { stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')}: ${r.stderr}`);
  return { stdout: r.stdout, stderr: r.stderr };
}

describe('HLS: CMAF segments and playlists', () => {
  const frames: Uint8Array[] = [];
  const keys: boolean[] = [];
  let av1c: Uint8Array;
  const videoSegs: PlaylistSegment[] = [];
  const iframeSegs: IFrameSegment[] = [];
  const audioSegs: PlaylistSegment[] = [];
  let audioPackets = 0;
  let audioSeconds = 0;
  let texts: Record<'video' | 'iframes' | 'audio' | 'master', string>;

  before(async () => {
    const ivf = join(dir, 'a.ivf');
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25', '-frames:v', String(FRAMES),
      '-c:v', 'libaom-av1', '-usage', 'realtime', '-cpu-used', '8', '-g', String(GOP), '-f', 'ivf', ivf]);
    const buf = readFileSync(ivf);
    for (let p = 32; p + 12 <= buf.length;) {
      const size = buf.readUInt32LE(p);
      frames.push(new Uint8Array(buf.subarray(p + 12, p + 12 + size)));
      p += 12 + size;
    }
    assert.equal(frames.length, FRAMES);
    // ffprobe's key flags for the IVF (the AV1 parser sets them from the frame headers).
    const pkt = run('ffprobe', ['-v', 'error', '-show_entries', 'packet=flags', '-of', 'csv=p=0', ivf]);
    keys.push(...pkt.stdout.trim().split('\n').map((f) => f.startsWith('K')));
    assert.deepEqual(keys.flatMap((k, i) => (k ? [i] : [])), [0, GOP], 'libaom puts key frames at 0 and 50');
    const seq = findSequenceHeader(frames[0]!);
    assert.ok(seq, 'the first frame carries a sequence header');
    av1c = buildAv1C(seq.obu);

    writeFileSync(join(dir, 'init.mp4'), videoInitSegment({ width: 640, height: 360, timescale: TIMESCALE, av1c, trackId: 1 }));
    for (let s = 0; s < FRAMES / GOP; s++) {
      const samples = frames.slice(s * GOP, (s + 1) * GOP).map((data, i) => ({ data, duration: FRAME_TICKS, key: keys[s * GOP + i]! }));
      const seg = mediaSegment({ sequenceNumber: s + 1, trackId: 1, timescale: TIMESCALE, baseDecodeTime: s * GOP * FRAME_TICKS, samples, codec: 'av1' });
      const uri = `seg${s + 1}.m4s`;
      writeFileSync(join(dir, uri), seg.bytes);
      videoSegs.push({ uri, duration: seg.duration / TIMESCALE, byteLength: seg.bytes.length });
      iframeSegs.push({ uri, duration: seg.duration / TIMESCALE, keyFrameRange: seg.keyFrameRange });
    }

    const m4a = join(dir, 'a.m4a');
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=4', '-c:a', 'aac', m4a]);
    const input = new Input({ source: new BufferSource(readFileSync(m4a)), formats: ALL_FORMATS });
    const track = await input.getPrimaryAudioTrack();
    assert.ok(track, 'an audio track');
    const config = await track.getDecoderConfig();
    assert.ok(config?.description, 'an AudioSpecificConfig');
    const d = config.description;
    const asc = ArrayBuffer.isView(d) ? new Uint8Array(d.buffer, d.byteOffset, d.byteLength) : new Uint8Array(d);
    const packets = [];
    for await (const p of new EncodedPacketSink(track).packets()) packets.push(p);
    audioPackets = packets.length;
    audioSeconds = packets.reduce((n, p) => n + p.duration, 0);
    const rate = track.sampleRate;
    writeFileSync(join(dir, 'audio-init.mp4'), audioInitSegment({ codec: 'aac', sampleRate: rate, numberOfChannels: track.numberOfChannels, description: asc, trackId: 1 }));
    // Two segments of about 2 s each, cut at an AAC frame boundary.
    const half = Math.ceil(packets.length / 2);
    let decodeTime = 0;
    for (const [n, group] of [packets.slice(0, half), packets.slice(half)].entries()) {
      const samples = group.map((p) => ({ data: p.data, duration: Math.round(p.duration * rate), key: true }));
      const seg = mediaSegment({ sequenceNumber: n + 1, trackId: 1, timescale: rate, baseDecodeTime: decodeTime, samples, codec: 'aac' });
      decodeTime += seg.duration;
      const uri = `audio${n + 1}.m4s`;
      writeFileSync(join(dir, uri), seg.bytes);
      audioSegs.push({ uri, duration: seg.duration / rate, byteLength: seg.bytes.length });
    }

    const v = segmentBitrates(videoSegs, audioSegs);
    const iframes = iframeBitrates(iframeSegs);
    texts = {
      video: mediaPlaylist({ mapUri: 'init.mp4', segments: videoSegs, version: 7 }),
      iframes: iframePlaylist({ mapUri: 'init.mp4', segments: iframeSegs, version: 7 }),
      audio: mediaPlaylist({ mapUri: 'audio-init.mp4', segments: audioSegs, version: 7 }),
      master: masterPlaylist({
        variants: [{ uri: 'video.m3u8', iframeUri: 'iframes.m3u8', iframeBandwidth: iframes.peak, bandwidth: v.peak, averageBandwidth: v.average, width: 640, height: 360, frameRate: 25, codecs: CODECS }],
        audio: { groupId: 'aud', name: 'English', uri: 'audio.m3u8', codecs: 'mp4a.40.2', channels: track.numberOfChannels },
      }),
    };
    for (const [name, text] of Object.entries(texts)) writeFileSync(join(dir, `${name}.m3u8`), text);
  });

  it('the init segment carries the av1C it was given under ftyp/moov, with mvex for fragments', () => {
    const init = new Uint8Array(readFileSync(join(dir, 'init.mp4')));
    assert.deepEqual(readBoxes(init).map((b) => b.type), ['ftyp', 'moov']);
    const chain = findPaths(init, ['moov', 'trak', 'mdia', 'minf', 'stbl', 'stsd', 'av01', 'av1C'])[0];
    assert.ok(chain, 'moov/trak/mdia/minf/stbl/stsd/av01/av1C');
    const box = chain[chain.length - 1]!;
    assert.deepEqual(init.slice(box.start + box.header, box.end), av1c);
    assert.equal(findPaths(init, ['moov', 'mvex', 'trex']).length, 1);
  });

  it('init + segments probe as fragmented MP4 with 100 frames, ffmpeg\'s own packets and key flags, and decode frame-exact', () => {
    const whole = join(dir, 'whole.mp4');
    writeFileSync(whole, Buffer.concat(['init.mp4', 'seg1.m4s', 'seg2.m4s'].map((f) => readFileSync(join(dir, f)))));
    const p = ffprobe(whole, ['-count_packets']);
    assert.match(p.format.format_name, /mp4/);
    assert.equal(p.streams.length, 1);
    assert.equal(p.streams[0]!.codec_name, 'av1');
    assert.equal(p.streams[0]!.width, 640);
    assert.equal(p.streams[0]!.height, 360);
    assert.equal(Number(p.streams[0]!.nb_read_packets), FRAMES);
    const pk = run('ffprobe', ['-v', 'error', '-show_entries', 'packet=pts,flags', '-of', 'csv=p=0', whole]).stdout.trim().split('\n');
    assert.deepEqual(pk.map((l) => Number(l.split(',')[0])), frames.map((_, i) => i * FRAME_TICKS), 'pts from tfdt + durations');
    assert.deepEqual(pk.map((l) => l.split(',')[1]!.startsWith('K')), keys, 'sync flags');
    const hashes = run('ffmpeg', ['-v', 'error', '-i', whole, '-c', 'copy', '-f', 'framemd5', '-']).stdout
      .split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(',').pop()!.trim());
    assert.deepEqual(hashes, frames.map((f) => md5(withoutTemporalDelimiters(f))), 'samples are the frames without temporal delimiters');
    assert.notDeepEqual(withoutTemporalDelimiters(frames[0]!).length, frames[0]!.length, 'libaom did write temporal delimiters');
    assert.equal(dav1dFrameCount(whole), FRAMES);
  });

  it('the media playlists parse with their segments, target duration and map', () => {
    const video = parse(texts.video);
    assert.equal(video.version, 7);
    assert.equal(video.targetDuration, 2);
    assert.equal(video.playlistType, 'VOD');
    assert.equal(video.endList, true);
    assert.equal(video.independentSegments, true);
    assert.deepEqual(video.segments.map((s) => [s.uri, s.duration, s.map?.uri]), [['seg1.m4s', 2, 'init.mp4'], ['seg2.m4s', 2, 'init.mp4']]);
    assert.match(texts.video, /^#EXTINF:2\.000,$/m);
    const audio = parse(texts.audio);
    assert.deepEqual(audio.segments.map((s) => s.uri), ['audio1.m4s', 'audio2.m4s']);
    assert.ok(audio.segments.every((s) => s.map?.uri === 'audio-init.mp4'));
    const total = audio.segments.reduce((n, s) => n + s.duration, 0);
    assert.ok(Math.abs(total - audioSeconds) < 1e-5, `audio EXTINFs sum to the packets' duration ${audioSeconds}, got ${total}`);
    assert.ok(audio.segments.every((s) => Math.round(s.duration) <= audio.targetDuration!));
  });

  it('the I-frame playlist\'s byte ranges cover each segment\'s moof, mdat header and key frame exactly', () => {
    const m = parse(texts.iframes);
    assert.equal(m.iFramesOnly, true);
    assert.equal(m.segments.length, 2);
    m.segments.forEach((s, n) => {
      assert.equal(s.map?.uri, 'init.mp4');
      assert.ok(s.byterange, 'a byte range');
      const seg = new Uint8Array(readFileSync(join(dir, s.uri)));
      const end = s.byterange.offset + s.byterange.length;
      const moof = readBoxes(seg, s.byterange.offset)[0];
      assert.equal(moof?.type, 'moof', 'the range starts with a moof');
      // moof/traf/trun: the first sample's size and flags.
      const traf = children(seg, moof).find((b) => b.type === 'traf')!;
      const trun = children(seg, traf).find((b) => b.type === 'trun')!;
      const dv = new DataView(seg.buffer, seg.byteOffset + trun.start);
      const [size, flags] = [dv.getUint32(24), dv.getUint32(28)];
      assert.equal(flags, 0x02000000, 'the first sample is a sync sample');
      assert.equal(moof.end + 8 + size, end, 'the range ends right after the first sample');
      assert.equal(String.fromCharCode(...seg.subarray(moof.end + 4, moof.end + 8)), 'mdat');
      assert.deepEqual(seg.subarray(moof.end + 8, end), withoutTemporalDelimiters(frames[n * GOP]!), 'the range holds the key frame');
      assert.ok(keys[n * GOP]);
    });
  });

  it('the master playlist lists the variant, its audio group and its I-frame playlist', () => {
    const m = parse(texts.master);
    assert.equal(m.playlists?.length, 1);
    const a = m.playlists![0]!.attributes;
    assert.equal(m.playlists![0]!.uri, 'video.m3u8');
    assert.equal(a.CODECS, CODECS);
    assert.deepEqual(a.RESOLUTION, { width: 640, height: 360 });
    assert.equal(a['FRAME-RATE'], 25);
    assert.match(texts.master, /FRAME-RATE=25\.000/);
    assert.equal(a.AUDIO, 'aud');
    const bw = a.BANDWIDTH as number;
    const avg = Number(a['AVERAGE-BANDWIDTH']);
    assert.ok(bw >= avg && avg > 0, `BANDWIDTH ${bw} >= AVERAGE-BANDWIDTH ${avg}`);
    // Apple's definitions, by hand: peak segment rate and total bits / total time, video + audio.
    const rate = (segs: PlaylistSegment[]) => Math.max(...segs.map((s) => (s.byteLength * 8) / s.duration));
    const mean = (segs: PlaylistSegment[]) => segs.reduce((n, s) => n + s.byteLength * 8, 0) / segs.reduce((n, s) => n + s.duration, 0);
    assert.equal(bw, Math.ceil(rate(videoSegs) + rate(audioSegs)));
    assert.equal(avg, Math.ceil(mean(videoSegs) + mean(audioSegs)));
    const group = m.mediaGroups?.AUDIO.aud;
    assert.ok(group?.English, 'the audio rendition');
    assert.equal(group.English.uri, 'audio.m3u8');
    assert.equal(group.English.default, true);
    assert.equal(group.English.autoselect, true);
    assert.equal(m.iFramePlaylists?.length, 1);
    const i = m.iFramePlaylists![0]!;
    assert.equal(i.uri, 'iframes.m3u8');
    assert.equal(i.attributes.CODECS, 'av01.0.08M.08');
    assert.ok((i.attributes.BANDWIDTH as number) > 0 && (i.attributes.BANDWIDTH as number) < bw);
  });

  it('ffprobe reads the master playlist as AV1 640x360 plus AAC', () => {
    const p = ffprobe(join(dir, 'master.m3u8'));
    const v = p.streams.filter((s) => s.codec_type === 'video');
    const a = p.streams.filter((s) => s.codec_type === 'audio');
    assert.ok(v.length >= 1 && v.every((s) => s.codec_name === 'av1' && s.width === 640 && s.height === 360), JSON.stringify(v));
    assert.ok(a.length >= 1 && a.every((s) => s.codec_name === 'aac'), JSON.stringify(a));
  });

  it('ffmpeg plays the media playlists: 100 AV1 frames through libdav1d, every AAC packet, no errors', () => {
    assert.equal(dav1dFrameCount(join(dir, 'video.m3u8')), FRAMES);
    const r = run('ffmpeg', ['-v', 'error', '-i', join(dir, 'audio.m3u8'), '-map', '0:a:0', '-c', 'copy', '-f', 'framemd5', '-']);
    assert.equal(r.stderr.trim(), '');
    assert.equal(r.stdout.split('\n').filter((l) => l && !l.startsWith('#')).length, audioPackets);
    const decoded = run('ffmpeg', ['-v', 'error', '-i', join(dir, 'audio.m3u8'), '-map', '0:a:0', '-f', 'null', '-']);
    assert.equal(decoded.stderr.trim(), '', 'the AAC decoder reports no errors');
  });

  it('rejects what would make a broken playlist or segment', () => {
    assert.throws(() => mediaPlaylist({ mapUri: 'i.mp4', segments: [{ uri: 'a', duration: 2.6, byteLength: 1 }], targetDuration: 2 }), RangeError);
    assert.throws(() => mediaPlaylist({ mapUri: 'i.mp4', segments: [] }), RangeError);
    assert.throws(() => mediaSegment({ sequenceNumber: 1, timescale: TIMESCALE, baseDecodeTime: 0, samples: [{ data: frames[1]!, duration: FRAME_TICKS, key: false }], codec: 'av1' }), TranscodeError);
    assert.throws(() => masterPlaylist({ variants: [{ uri: 'v', bandwidth: 1, averageBandwidth: 2, width: 2, height: 2, frameRate: 25, codecs: 'av01.0.08M.08' }] }), RangeError);
    assert.equal(mediaPlaylist({ mapUri: 'i.mp4', segments: [{ uri: 'a', duration: 2.6, byteLength: 1 }] }).match(/TARGETDURATION:(\d+)/)?.[1], '3');
    assert.throws(() => dOpsFromOpusHead(new Uint8Array(19)), TranscodeError, 'not an OpusHead');
  });

  it("an Opus init segment carries dOps with the OpusHead's fields big-endian, and ffprobe reads it", () => {
    // libopus' OpusHead for 2 channels, 312 samples of pre-skip, 48 kHz input, gain 0, family 0.
    const head = Uint8Array.from(Buffer.from('4f707573486561640102380180bb0000000000', 'hex'));
    assert.deepEqual([...dOpsFromOpusHead(head)], [0, 2, 0x01, 0x38, 0, 0, 0xbb, 0x80, 0, 0, 0]);
    const init = audioInitSegment({ codec: 'opus', sampleRate: 48_000, numberOfChannels: 2, description: head });
    const file = join(dir, 'opus-init.mp4');
    writeFileSync(file, init);
    const a = ffprobe(file).streams[0];
    assert.equal(a?.codec_name, 'opus');
    assert.equal((a as { channels?: number } | undefined)?.channels, 2);
  });
});
