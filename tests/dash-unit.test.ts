// The DASH MPD writer on its own: SegmentTimeline runs, durations and frame rates in the forms the
// schema asks for, the manifest of CMAF tracks (paths, @bandwidth as the peak segment rate), and the
// whole MPD parsed by Chromium's DOMParser, a parser nobody here wrote. The engine's real MPDs are
// checked by ffprobe, libdav1d and dash.js in the acceptance tests (browser-hls, deno-cli).
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { frameRateAttr, isoDuration, mpd, peakBandwidth, segmentTimeline, writeDashManifest } from '../src/dash/mod.ts';
import type { CmafTrack } from '../src/mux/cmaf-track.ts';
import { checkOptions } from '../src/options.ts';
import { parseXml } from './lib/dash-player.ts';
import type { XmlNode } from './lib/dash-player.ts';

const seg = (i: number, start: number, duration: number, byteLength: number) => ({ uri: `seg-${i}.m4s`, start, duration, byteLength });

// Three 2 s segments and a 1 s one at 12800 Hz (the source's timescale); audio at 48 kHz.
const VIDEO: CmafTrack = {
  dir: '480p', initUri: 'init.mp4', timescale: 12800, codecs: 'av01.0.04M.08',
  segments: [seg(1, 0, 25600, 200_000), seg(2, 25600, 25600, 250_000), seg(3, 51200, 25600, 100_000), seg(4, 76800, 12800, 60_000)],
};
const LOW: CmafTrack = { ...VIDEO, dir: '360p', codecs: 'av01.0.01M.08', segments: VIDEO.segments.map((s) => ({ ...s, byteLength: s.byteLength / 2 })) };
const AUDIO: CmafTrack = {
  dir: 'audio', initUri: 'init.mp4', timescale: 48000, codecs: 'mp4a.40.2',
  segments: [seg(1, 0, 96256, 32_000), seg(2, 96256, 96256, 32_000), seg(3, 192512, 96256, 32_000), seg(4, 288768, 50176, 16_000)],
};

const kids = (n: XmlNode, name: string) => n.children.filter((c) => c.name === name);

describe('DASH: the MPD writer', () => {
  let doc: XmlNode;
  before(async () => {
    const file = writeDashManifest([{ track: VIDEO, width: 854, height: 480, frameRate: 25 }, { track: LOW, width: 640, height: 360, frameRate: 25 }], { track: AUDIO, sampleRate: 48000, channels: 2 });
    assert.equal(file.path, 'manifest.mpd');
    [doc] = await parseXml([new TextDecoder().decode(file.bytes)]) as [XmlNode];
  });

  it('a SegmentTimeline folds equal contiguous durations into r and writes t only at the start and after a gap', () => {
    assert.deepEqual(segmentTimeline(VIDEO.segments), ['<S t="0" d="25600" r="2"/>', '<S d="12800"/>']);
    assert.deepEqual(segmentTimeline([{ start: 10, duration: 5 }, { start: 15, duration: 5 }, { start: 30, duration: 5 }]), ['<S t="10" d="5" r="1"/>', '<S t="30" d="5"/>']);
    assert.throws(() => segmentTimeline([]), RangeError);
    assert.throws(() => segmentTimeline([{ start: 0, duration: 1.5 }]), /whole/);
  });

  it('durations and frame rates take the forms of xs:duration and FrameRateType', () => {
    assert.equal(isoDuration(5), 'PT5S');
    assert.equal(isoDuration(5.056), 'PT5.056S');
    assert.equal(isoDuration(2.0053333), 'PT2.006S'); // rounded up: never cuts the end
    assert.equal(frameRateAttr(25), '25');
    assert.equal(frameRateAttr(30000 / 1001), '30000/1001');
    assert.equal(frameRateAttr(12.5), '25/2');
    assert.throws(() => frameRateAttr(0), RangeError);
  });

  it('DOMParser reads one static Period: video Representations with templates, audio with its channel configuration', () => {
    assert.equal(doc.name, 'MPD');
    assert.equal(doc.attrs.type, 'static');
    assert.equal(doc.attrs.mediaPresentationDuration, 'PT7.062S'); // the audio ends last, at 338944 / 48000 s
    assert.equal(doc.attrs.minBufferTime, 'PT2.006S'); // the longest segment
    const [period] = kids(doc, 'Period');
    const [video, audio] = kids(period!, 'AdaptationSet');
    assert.equal(video!.attrs.contentType, 'video');
    const reps = kids(video!, 'Representation');
    assert.deepEqual(reps.map((r) => [r.attrs.id, r.attrs.codecs, r.attrs.width, r.attrs.height, r.attrs.frameRate]), [['480p', 'av01.0.04M.08', '854', '480', '25'], ['360p', 'av01.0.01M.08', '640', '360', '25']]);
    const [tpl] = kids(reps[0]!, 'SegmentTemplate');
    assert.deepEqual(tpl!.attrs, { timescale: '12800', initialization: '480p/init.mp4', media: '480p/seg-$Number$.m4s', startNumber: '1' });
    assert.equal(kids(kids(tpl!, 'SegmentTimeline')[0]!, 'S').length, 2);
    assert.equal(audio!.attrs.contentType, 'audio');
    assert.equal(audio!.attrs.lang, 'und');
    const [arep] = kids(audio!, 'Representation');
    assert.equal(arep!.attrs.codecs, 'mp4a.40.2');
    assert.equal(arep!.attrs.audioSamplingRate, '48000');
    assert.deepEqual(arep!.children.map((c) => c.name), ['AudioChannelConfiguration', 'SegmentTemplate'], 'schema order');
    assert.equal(kids(arep!, 'AudioChannelConfiguration')[0]!.attrs.value, '2');
  });

  it('@bandwidth is the peak segment rate, which a 2 s buffer needs (the average would understate it)', () => {
    assert.equal(peakBandwidth(VIDEO), 1_000_000); // segment 2: 250 kB in 2 s
    const reps = kids(kids(kids(doc, 'Period')[0]!, 'AdaptationSet')[0]!, 'Representation');
    assert.deepEqual(reps.map((r) => Number(r.attrs.bandwidth)), [1_000_000, 500_000]);
  });

  it('attribute text is escaped, and bad input throws naming what is wrong', async () => {
    const text = mpd({
      durationSeconds: 1, minBufferSeconds: 1,
      video: [{ id: 'a&b', codecs: 'av01"x', bandwidth: 1, width: 2, height: 2, frameRate: 25, template: { timescale: 25, initialization: 'a<b>/init.mp4', media: 'a/seg-$Number$.m4s', segments: [{ start: 0, duration: 25 }] } }],
    });
    const [parsed] = await parseXml([text]);
    const rep = kids(kids(kids(parsed!, 'Period')[0]!, 'AdaptationSet')[0]!, 'Representation')[0]!;
    assert.equal(rep.attrs.id, 'a&b');
    assert.equal(rep.attrs.codecs, 'av01"x');
    assert.throws(() => mpd({ durationSeconds: 1, minBufferSeconds: 1, video: [] }), /at least one Representation/);
    assert.throws(() => writeDashManifest([{ track: { ...VIDEO, segments: [seg(2, 0, 10, 10)] }, width: 2, height: 2, frameRate: 25 }], null), /expected seg-1\.m4s/);
  });

  it("options.format takes 'dash' and 'cmaf' and names the OutputFormat when wrong", () => {
    for (const format of ['mp4', 'hls', 'dash', 'cmaf'] as const) assert.doesNotThrow(() => checkOptions({ input: new Uint8Array(1), format }));
    assert.throws(() => checkOptions({ input: new Uint8Array(1), format: 'mpd' as never }), (e: unknown) => e instanceof TypeError && /OutputFormat/.test(e.message));
  });
});
