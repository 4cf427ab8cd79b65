// The HLS stage (src/hls/) on fake segment lists, no ffmpeg: media, I-frame and master playlists
// (exact lines, and m3u8-parser's independent reading), EXT-X-TARGETDURATION rounding, EXTINF
// precision, BANDWIDTH / AVERAGE-BANDWIDTH arithmetic, CMAF init and media segment layout read back
// with the box walker, and one rung of hand-made AV1 packets through writeCmafRung.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { contractFromSequenceHeader, findSequenceHeader } from '../../src/av1/mod.ts';
import { TranscodeError } from '../../src/errors.ts';
import { iframeBitrates, iframePlaylist, masterPlaylist, mediaPlaylist, mediaSegment, segmentBitrates, videoInitSegment } from '../../src/hls/mod.ts';
import type { Variant } from '../../src/hls/mod.ts';
import { writeCmafRung, writeHlsMaster } from '../../src/hls/output.ts';
import { findPaths, payload, readBoxes } from '../../src/mux/isobmff.ts';
import type { RungContext } from '../../src/mux/rung-output.ts';
import type { AcceptedRung, EncodedPacketOut } from '../../src/types/mod.ts';
import { deltaTemporalUnit, keyTemporalUnit, sequenceHeaderObu } from '../lib/av1-obus.ts';
import { parseM3u8 } from '../lib/m3u8.ts';

const lines = (s: string) => s.split('\n');
const u32At = (b: Uint8Array, p: number) => new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(p);

describe('mediaPlaylist', () => {
  const segments = [
    { uri: 'seg-1.m4s', duration: 2, byteLength: 250_000 },
    { uri: 'seg-2.m4s', duration: 2.002, byteLength: 200_000 },
    { uri: 'seg-3.m4s', duration: 1.4, byteLength: 150_000 },
  ];

  it('a VOD playlist: header, map, one EXTINF per segment, end list', () => {
    assert.deepEqual(lines(mediaPlaylist({ mapUri: 'init.mp4', segments })), [
      '#EXTM3U', '#EXT-X-VERSION:7', '#EXT-X-TARGETDURATION:2', '#EXT-X-PLAYLIST-TYPE:VOD', '#EXT-X-MEDIA-SEQUENCE:0',
      '#EXT-X-INDEPENDENT-SEGMENTS', '#EXT-X-MAP:URI="init.mp4"',
      '#EXTINF:2.000,', 'seg-1.m4s', '#EXTINF:2.002,', 'seg-2.m4s', '#EXTINF:1.400,', 'seg-3.m4s',
      '#EXT-X-ENDLIST', '',
    ]);
  });

  it('m3u8-parser reads it back: target, durations, map, VOD, end list', () => {
    const m = parseM3u8(mediaPlaylist({ mapUri: 'init.mp4', segments, version: 6 }));
    assert.equal(m.version, 6);
    assert.equal(m.targetDuration, 2);
    assert.equal(m.playlistType, 'VOD');
    assert.equal(m.endList, true);
    assert.deepEqual(m.segments.map((s) => [s.uri, s.duration, s.map?.uri]), [
      ['seg-1.m4s', 2, 'init.mp4'], ['seg-2.m4s', 2.002, 'init.mp4'], ['seg-3.m4s', 1.4, 'init.mp4'],
    ]);
  });

  it('EXT-X-TARGETDURATION is the longest EXTINF rounded to the nearest integer, at least 1', () => {
    const target = (...d: number[]) => parseM3u8(mediaPlaylist({ mapUri: 'i.mp4', segments: d.map((duration, i) => ({ uri: `s${i}`, duration, byteLength: 1 })) })).targetDuration;
    assert.equal(target(2.49), 2);
    assert.equal(target(2.5), 3);
    assert.equal(target(1.2, 4.6, 3), 5);
    assert.equal(target(0.2), 1);
  });

  it('EXTINF keeps at least 3 decimals and up to 6 where the duration needs them', () => {
    const extinf = (d: number) => lines(mediaPlaylist({ mapUri: 'i.mp4', segments: [{ uri: 's', duration: d, byteLength: 1 }] }))[7];
    assert.equal(extinf(1.2345), '#EXTINF:1.2345,');
    assert.equal(extinf(3003 / 90000), '#EXTINF:0.033367,');
    assert.equal(extinf(1.0000001), '#EXTINF:1.000,');
    assert.equal(extinf(10), '#EXTINF:10.000,');
  });

  it('a given target duration is used when large enough, refused when not', () => {
    assert.equal(parseM3u8(mediaPlaylist({ mapUri: 'i.mp4', segments, targetDuration: 6 })).targetDuration, 6);
    assert.throws(() => mediaPlaylist({ mapUri: 'i.mp4', segments, targetDuration: 1 }), /at least 2/);
    assert.throws(() => mediaPlaylist({ mapUri: 'i.mp4', segments, targetDuration: 2.5 }), RangeError);
  });

  it('refuses empty lists, bad durations, quotes in attributes and bad URIs', () => {
    assert.throws(() => mediaPlaylist({ mapUri: 'i.mp4', segments: [] }), /must not be empty/);
    assert.throws(() => mediaPlaylist({ mapUri: 'i.mp4', segments: [{ uri: 's', duration: 0, byteLength: 1 }] }), /segments\[0\]\.duration/);
    assert.throws(() => mediaPlaylist({ mapUri: 'i.mp4', segments: [{ uri: 's', duration: Number.NaN, byteLength: 1 }] }), RangeError);
    assert.throws(() => mediaPlaylist({ mapUri: 'a"b', segments }), /quote or line break/);
    for (const uri of ['', '#seg', 'a\nb']) {
      assert.throws(() => mediaPlaylist({ mapUri: 'i.mp4', segments: [{ uri, duration: 1, byteLength: 1 }] }), /as a playlist URI/);
    }
  });
});

describe('iframePlaylist', () => {
  const iframes = [
    { uri: 'seg-1.m4s', duration: 2, keyFrameRange: { offset: 24, length: 50_000 } },
    { uri: 'seg-2.m4s', duration: 1, keyFrameRange: { offset: 24, length: 40_000 } },
  ];

  it('I-FRAMES-ONLY, and a byte range into each segment', () => {
    const text = iframePlaylist({ mapUri: 'init.mp4', segments: iframes });
    assert.deepEqual(lines(text).slice(5, 12), [
      '#EXT-X-INDEPENDENT-SEGMENTS', '#EXT-X-I-FRAMES-ONLY', '#EXT-X-MAP:URI="init.mp4"',
      '#EXTINF:2.000,', '#EXT-X-BYTERANGE:50000@24', 'seg-1.m4s', '#EXTINF:1.000,',
    ]);
    const m = parseM3u8(text);
    assert.equal(m.iFramesOnly, true);
    assert.deepEqual(m.segments.map((s) => [s.uri, s.duration, s.byterange]), [
      ['seg-1.m4s', 2, { length: 50_000, offset: 24 }], ['seg-2.m4s', 1, { length: 40_000, offset: 24 }],
    ]);
  });

  it('refuses negative offsets and empty ranges', () => {
    assert.throws(() => iframePlaylist({ mapUri: 'i', segments: [{ ...iframes[0]!, keyFrameRange: { offset: -1, length: 5 } }] }), /keyFrameRange of seg-1\.m4s/);
    assert.throws(() => iframePlaylist({ mapUri: 'i', segments: [{ ...iframes[0]!, keyFrameRange: { offset: 0, length: 0 } }] }), RangeError);
  });
});

describe('segmentBitrates and iframeBitrates', () => {
  const video = [{ duration: 2, byteLength: 250_000 }, { duration: 2, byteLength: 200_000 }, { duration: 1, byteLength: 150_000 }];
  const audio = [{ duration: 2, byteLength: 32_000 }, { duration: 2, byteLength: 32_000 }, { duration: 1, byteLength: 16_001 }];

  it('peak is the largest segment rate; average is all bits over all seconds', () => {
    // 1.0, 0.8 and 1.2 Mb/s; 4.8 Mb over 5 s.
    assert.deepEqual(segmentBitrates(video), { peak: 1_200_000, average: 960_000 });
  });

  it('with audio each figure is the sum of both, rounded up once', () => {
    // audio: peak 128008 b/s, average 640008 b / 5 s = 128001.6 b/s.
    assert.deepEqual(segmentBitrates(video, audio), { peak: 1_328_008, average: 1_088_002 });
  });

  it('a target duration never lowers the peak below a single segment’s rate', () => {
    const short = [{ duration: 0.5, byteLength: 100_000 }, { duration: 0.5, byteLength: 100_000 }, { duration: 2, byteLength: 100_000 }];
    assert.deepEqual(segmentBitrates(short, undefined, 2), { peak: 1_600_000, average: 800_000 });
  });

  it('I-frame rates count only the key frame ranges', () => {
    const r = iframeBitrates([
      { uri: 'a', duration: 2, keyFrameRange: { offset: 0, length: 50_000 } },
      { uri: 'b', duration: 1, keyFrameRange: { offset: 0, length: 40_000 } },
    ]);
    assert.deepEqual(r, { peak: 320_000, average: 240_000 });
    assert.deepEqual(iframeBitrates([{ uri: 'a', duration: 3, keyFrameRange: { offset: 0, length: 1 } }]), { peak: 3, average: 3 });
  });
});

describe('masterPlaylist', () => {
  const variants: Variant[] = [
    { uri: '1080p/video.m3u8', bandwidth: 5_000_000, averageBandwidth: 4_000_000, width: 1920, height: 1080, frameRate: 30000 / 1001,
      codecs: 'av01.0.08M.08,mp4a.40.2', iframeUri: '1080p/iframes.m3u8', iframeBandwidth: 700_000 },
    { uri: '360p/video.m3u8', bandwidth: 600_000, averageBandwidth: 600_000, width: 640, height: 360, frameRate: 30000 / 1001,
      codecs: 'av01.0.01M.08,mp4a.40.2' },
  ];
  const audio = { groupId: 'aud', name: 'main', uri: 'audio/audio.m3u8', codecs: 'mp4a.40.2', language: 'en', channels: 2 };

  it('exact lines: the audio rendition, one STREAM-INF per variant, I-frame streams last', () => {
    assert.deepEqual(lines(masterPlaylist({ variants, audio })), [
      '#EXTM3U', '#EXT-X-VERSION:7', '#EXT-X-INDEPENDENT-SEGMENTS',
      '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",NAME="main",LANGUAGE="en",DEFAULT=YES,AUTOSELECT=YES,CHANNELS="2",URI="audio/audio.m3u8"',
      '#EXT-X-STREAM-INF:BANDWIDTH=5000000,AVERAGE-BANDWIDTH=4000000,CODECS="av01.0.08M.08,mp4a.40.2",RESOLUTION=1920x1080,FRAME-RATE=29.970,AUDIO="aud"',
      '1080p/video.m3u8',
      '#EXT-X-STREAM-INF:BANDWIDTH=600000,AVERAGE-BANDWIDTH=600000,CODECS="av01.0.01M.08,mp4a.40.2",RESOLUTION=640x360,FRAME-RATE=29.970,AUDIO="aud"',
      '360p/video.m3u8',
      '#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=700000,CODECS="av01.0.08M.08",RESOLUTION=1920x1080,URI="1080p/iframes.m3u8"',
      '',
    ]);
  });

  it('m3u8-parser reads variants, the audio group and the I-frame playlist', () => {
    const m = parseM3u8(masterPlaylist({ variants, audio }));
    const p = m.playlists!;
    assert.deepEqual(p.map((v) => v.uri), ['1080p/video.m3u8', '360p/video.m3u8']);
    assert.equal(p[0]!.attributes.BANDWIDTH, 5_000_000);
    assert.equal(Number(p[0]!.attributes['AVERAGE-BANDWIDTH']), 4_000_000); // m3u8-parser leaves this one a string
    assert.equal(p[0]!.attributes.CODECS, 'av01.0.08M.08,mp4a.40.2');
    assert.deepEqual(p[1]!.attributes.RESOLUTION, { width: 640, height: 360 });
    assert.equal(p[1]!.attributes['FRAME-RATE'], 29.97);
    assert.equal(p[1]!.attributes.AUDIO, 'aud');
    const rendition = m.mediaGroups!.AUDIO.aud!.main!;
    assert.deepEqual([rendition.uri, rendition.default, rendition.autoselect], ['audio/audio.m3u8', true, true]);
    assert.deepEqual(m.iFramePlaylists!.map((f) => [f.uri, f.attributes.BANDWIDTH, f.attributes.CODECS]), [['1080p/iframes.m3u8', 700_000, 'av01.0.08M.08']]);
  });

  it('without audio: no EXT-X-MEDIA and no AUDIO attribute', () => {
    const text = masterPlaylist({ variants: [{ ...variants[1]!, codecs: 'av01.0.01M.08', frameRate: 25 }] });
    assert.doesNotMatch(text, /EXT-X-MEDIA|AUDIO=/);
    assert.match(text, /,FRAME-RATE=25\.000\n/);
  });

  it('refusals: no variants, average above peak, a codec list without the audio codec, an I-frame URI without its rate', () => {
    assert.throws(() => masterPlaylist({ variants: [] }), /variants must not be empty/);
    assert.throws(() => masterPlaylist({ variants: [{ ...variants[1]!, averageBandwidth: 600_001 }], audio }), /averageBandwidth \(600001\) exceeds its bandwidth \(600000\)/);
    assert.throws(() => masterPlaylist({ variants: [{ ...variants[1]!, codecs: 'av01.0.01M.08' }], audio }), /must include the audio codec mp4a\.40\.2/);
    const { iframeBandwidth: _, ...noRate } = variants[0]!;
    assert.throws(() => masterPlaylist({ variants: [noRate], audio }), /iframeBandwidth must be a positive integer/);
    assert.throws(() => masterPlaylist({ variants: [{ ...variants[1]!, bandwidth: 1.5 }] }), /variants\[0\]\.bandwidth/);
    assert.throws(() => masterPlaylist({ variants: [{ ...variants[1]!, frameRate: 0 }] }), /frameRate must be positive/);
  });
});

describe('CMAF segments', () => {
  const td = [0x12, 0x00];

  it('a media segment is styp + moof + mdat; the trun points at the first sample; delimiters are dropped', () => {
    const samples = [
      { data: Uint8Array.from([...td, 0x32, 2, 0xaa, 0xbb]), duration: 3600, key: true },
      { data: Uint8Array.from([...td, 0x32, 1, 0xcc]), duration: 3603, key: false },
    ];
    const seg = mediaSegment({ sequenceNumber: 7, timescale: 90000, baseDecodeTime: 2 ** 33, samples, codec: 'av1' });
    assert.equal(seg.duration, 7203);
    const boxes = readBoxes(seg.bytes);
    assert.deepEqual(boxes.map((b) => b.type), ['styp', 'moof', 'mdat']);
    const [styp, moof, mdat] = boxes as [typeof boxes[0], typeof boxes[0], typeof boxes[0]];
    assert.equal(styp.end, 24); // 8 + major brand, minor version, two compatible brands
    assert.deepEqual(payload(seg.bytes, mdat), Uint8Array.from([0x32, 2, 0xaa, 0xbb, 0x32, 1, 0xcc]));
    assert.deepEqual(seg.keyFrameRange, { offset: 24, length: moof.end - moof.start + 8 + 4 });
    assert.equal(u32At(seg.bytes, moof.start + 8 + 8 + 4), 7, 'mfhd sequence_number');
    const tfdt = findPaths(seg.bytes, ['moof', 'traf']).flatMap(([, traf]) => readBoxes(seg.bytes, traf!.start + 8, traf!.end)).find((b) => b.type === 'tfdt')!;
    assert.equal(seg.bytes[tfdt.start + 8], 1, 'tfdt version 1');
    assert.equal(new DataView(seg.bytes.buffer).getBigUint64(tfdt.start + 12), 2n ** 33n);
    const trun = readBoxes(seg.bytes, findPaths(seg.bytes, ['moof', 'traf'])[0]![1]!.start + 8, moof.end).find((b) => b.type === 'trun')!;
    const t = trun.start + 8;
    assert.equal(u32At(seg.bytes, t) & 0xffffff, 0x000701, 'data-offset, duration, size, flags present');
    assert.equal(u32At(seg.bytes, t + 4), 2, 'sample_count');
    const dataOffset = u32At(seg.bytes, t + 8);
    assert.equal(moof.start + dataOffset, mdat.start + 8, 'data offset counts from the moof to the mdat payload');
    // entries: duration, size, flags
    assert.deepEqual([u32At(seg.bytes, t + 12), u32At(seg.bytes, t + 16), u32At(seg.bytes, t + 20)], [3600, 4, 0x02000000]);
    assert.deepEqual([u32At(seg.bytes, t + 24), u32At(seg.bytes, t + 28), u32At(seg.bytes, t + 32)], [3603, 3, 0x01010000]);
  });

  it('audio samples are written as given', () => {
    const seg = mediaSegment({ sequenceNumber: 1, timescale: 48000, baseDecodeTime: 0, samples: [{ data: Uint8Array.from(td), duration: 1024, key: true }], codec: 'aac' });
    assert.deepEqual(payload(seg.bytes, readBoxes(seg.bytes)[2]!), Uint8Array.from(td));
  });

  it('refusals: a non-key first AV1 sample, no samples, bad numbers', () => {
    const s = { data: Uint8Array.from([0x32, 0]), duration: 1, key: false };
    assert.throws(() => mediaSegment({ sequenceNumber: 1, timescale: 1, baseDecodeTime: 0, samples: [s], codec: 'av1' }), TranscodeError);
    assert.throws(() => mediaSegment({ sequenceNumber: 1, timescale: 1, baseDecodeTime: 0, samples: [] }), /samples must not be empty/);
    assert.throws(() => mediaSegment({ sequenceNumber: 0, timescale: 1, baseDecodeTime: 0, samples: [s] }), /sequenceNumber/);
    assert.throws(() => mediaSegment({ sequenceNumber: 1, timescale: 1, baseDecodeTime: -1, samples: [s] }), /baseDecodeTime/);
    assert.throws(() => mediaSegment({ sequenceNumber: 1, timescale: 1, baseDecodeTime: 0, samples: [{ ...s, duration: 0.5 }] }), /samples\[0\]\.duration/);
  });

  it('the video init segment carries the av1C as given, the size and the timescale', () => {
    const av1c = Uint8Array.from([0x81, 0x08, 0x0c, 0x00, 0xde, 0xad]);
    const init = videoInitSegment({ width: 1920, height: 1080, timescale: 90000, av1c });
    assert.deepEqual(readBoxes(init).map((b) => b.type), ['ftyp', 'moov']);
    const [chain] = findPaths(init, ['moov', 'trak', 'mdia', 'minf', 'stbl', 'stsd', 'av01', 'av1C']);
    assert.deepEqual(payload(init, chain!.at(-1)!), av1c);
    const av01 = chain![6]!;
    assert.deepEqual([init[av01.start + 8 + 24]! << 8 | init[av01.start + 8 + 25]!, init[av01.start + 8 + 26]! << 8 | init[av01.start + 8 + 27]!], [1920, 1080]);
    const mdhd = readBoxes(init, chain![2]!.start + 8, chain![2]!.end)[0]!;
    assert.equal(mdhd.type, 'mdhd');
    assert.equal(u32At(init, mdhd.start + 8 + 12), 90000);
    assert.equal(findPaths(init, ['moov', 'mvex']).length, 1);
    assert.throws(() => videoInitSegment({ width: 16, height: 16, timescale: 1, av1c: Uint8Array.from([0, 0, 0, 0]) }), /not an AV1CodecConfigurationRecord/);
    assert.throws(() => videoInitSegment({ width: 0x10000, height: 16, timescale: 1, av1c }), /width/);
  });
});

describe('writeCmafRung', () => {
  const fields = { width: 640, height: 360, level: 1, colour: [1, 1, 1] as [number, number, number] };
  const shObu = sequenceHeaderObu(fields);
  // Two chunks of three 25 fps frames (40 ms), each opening with a key frame.
  const chunk = (k: number): EncodedPacketOut[] => [0, 1, 2].map((i) => ({
    data: i === 0 ? keyTemporalUnit(fields) : deltaTemporalUnit([0x30, k, i]),
    timestamp: (k * 3 + i) * 40_000, duration: 40_000, key: i === 0,
  }));
  const accepted: AcceptedRung = {
    rung: 0, contract: contractFromSequenceHeader(findSequenceHeader(shObu)!.header), sequenceHeaderObu: shObu,
    chunks: [0, 1].map((k) => ({
      output: { packets: chunk(k), hardware: false, encoder: 'fake' },
      record: { index: k, frames: 3, leaseId: 0, helper: false, hardware: false, encoder: 'fake', attempts: 1, bytes: 0, targetBitrate: 0, quantizer: null, aimBitrate: 0, seconds: 0.12 },
    })),
  };
  const ctx: RungContext = {
    plan: { label: 360, width: 640, height: 360, bitrate: 500_000, quantizer: null, codec: 'av01.0.01M.08' },
    accepted, colorSpace: {}, audio: null, frameRate: 25, timescale: 90000, chunkSeconds: 0.12,
  };

  it('one init, one segment per chunk, playlists; the track times are exact ticks', () => {
    const rung = writeCmafRung(ctx, { hls: true });
    assert.deepEqual(rung.files.map((f) => f.path), ['360p/init.mp4', '360p/seg-1.m4s', '360p/seg-2.m4s', '360p/video.m3u8', '360p/iframes.m3u8']);
    assert.equal(rung.codec, 'av01.0.01M.08');
    assert.equal(rung.frames, 6);
    assert.deepEqual(rung.track.segments.map((s) => [s.uri, s.start, s.duration]), [['seg-1.m4s', 0, 10800], ['seg-2.m4s', 10800, 10800]]);
    assert.equal(rung.bytes, rung.track.segments.reduce((n, s) => n + s.byteLength, 0));
    const m = parseM3u8(new TextDecoder().decode(rung.files[3]!.bytes));
    assert.deepEqual(m.segments.map((s) => s.duration), [0.12, 0.12]);
    const init = rung.files[0]!.bytes;
    const [chain] = findPaths(init, ['moov', 'trak', 'mdia', 'minf', 'stbl', 'stsd', 'av01', 'av1C']);
    assert.deepEqual(payload(init, chain!.at(-1)!).subarray(4), shObu, 'configOBUs is the rung’s sequence header');
    assert.deepEqual(writeCmafRung(ctx, { hls: false }).files.map((f) => f.path), ['360p/init.mp4', '360p/seg-1.m4s', '360p/seg-2.m4s']);
  });

  it('the master playlist over the rung: rates from its own segments', () => {
    const rung = writeCmafRung(ctx, { hls: true });
    const master = parseM3u8(new TextDecoder().decode(writeHlsMaster([{ rung, width: 640, height: 360, frameRate: 25 }], null).bytes));
    const peak = Math.ceil(Math.max(...rung.segments.map((s) => (s.byteLength * 8) / 0.12)));
    assert.equal(master.playlists![0]!.attributes.BANDWIDTH, peak);
    assert.equal(master.playlists![0]!.attributes.CODECS, 'av01.0.01M.08');
    assert.equal(master.iFramePlaylists![0]!.uri, '360p/iframes.m3u8');
  });
});
