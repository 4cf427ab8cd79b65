// The DASH stage (src/dash/) without a browser: xs:duration and FrameRateType forms, SegmentTimeline
// runs (t after gaps and overlaps, r for repeats), @bandwidth as the peak segment rate, and the whole
// MPD of a small fake CMAF ladder read back with a tiny tag parser written here (balanced tags,
// attributes), plus the refusals of both writers.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { frameRateAttr, isoDuration, mpd, MPD_PATH, peakBandwidth, segmentTimeline, writeDashManifest } from '../../src/dash/mod.ts';
import type { MpdOptions, MpdVideoRepresentation } from '../../src/dash/mod.ts';
import type { CmafTrack } from '../../src/mux/cmaf-track.ts';

interface Tag { name: string; attrs: Record<string, string>; children: Tag[] }

/** Elements and attributes of the XML the writer emits (no text content, no comments). Throws on unbalanced tags. */
function parseTags(xml: string): Tag {
  const root: Tag = { name: '#root', attrs: {}, children: [] };
  const stack = [root];
  for (const m of xml.replace(/^<\?xml[^>]*\?>/, '').matchAll(/<(\/?)([A-Za-z]+)((?:\s+[A-Za-z:]+="[^"]*")*)\s*(\/?)>/g)) {
    const [, close, name, attrText, selfClose] = m;
    if (close) {
      const open = stack.pop();
      assert.equal(open?.name, name, `closing </${name}>`);
      continue;
    }
    const attrs: Record<string, string> = {};
    for (const a of attrText!.matchAll(/([A-Za-z:]+)="([^"]*)"/g)) {
      assert.equal(attrs[a[1]!], undefined, `attribute ${a[1]} written twice`);
      attrs[a[1]!] = a[2]!.replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
    }
    const tag: Tag = { name: name!, attrs, children: [] };
    stack[stack.length - 1]!.children.push(tag);
    if (!selfClose) stack.push(tag);
  }
  assert.equal(stack.length, 1, 'every element closed');
  assert.equal(root.children.length, 1, 'one document element');
  return root.children[0]!;
}

const kids = (t: Tag, name: string) => t.children.filter((c) => c.name === name);
const seg = (i: number, start: number, duration: number, byteLength: number) => ({ uri: `seg-${i}.m4s`, start, duration, byteLength });

// 25 fps video at 90 kHz: two 2 s segments and a 1 s one. Audio at 48 kHz ends 20 ms later.
const HIGH: CmafTrack = {
  dir: '480p', initUri: 'init.mp4', timescale: 90000, codecs: 'av01.0.04M.08',
  segments: [seg(1, 0, 180000, 300_001), seg(2, 180000, 180000, 200_000), seg(3, 360000, 90000, 120_000)],
};
const LOW: CmafTrack = {
  dir: '360p', initUri: 'init.mp4', timescale: 90000, codecs: 'av01.0.01M.08',
  segments: [seg(1, 0, 180000, 100_000), seg(2, 180000, 180000, 90_000), seg(3, 360000, 90000, 45_000)],
};
const AUDIO: CmafTrack = {
  dir: 'audio', initUri: 'init.mp4', timescale: 48000, codecs: 'mp4a.40.2',
  segments: [seg(1, 0, 96000, 32_000), seg(2, 96000, 96000, 32_000), seg(3, 192000, 48960, 16_001)],
};

describe('isoDuration', () => {
  it('whole seconds without decimals, otherwise milliseconds without trailing zeros', () => {
    assert.equal(isoDuration(0), 'PT0S');
    assert.equal(isoDuration(5), 'PT5S');
    assert.equal(isoDuration(10), 'PT10S');
    assert.equal(isoDuration(100), 'PT100S');
    assert.equal(isoDuration(1.5), 'PT1.5S');
    assert.equal(isoDuration(5.02), 'PT5.02S');
  });

  it('rounds up to the next millisecond, ignoring sub-microsecond noise', () => {
    assert.equal(isoDuration(1 / 3), 'PT0.334S');
    assert.equal(isoDuration(0.0001), 'PT0.001S');
    assert.equal(isoDuration(2.0001), 'PT2.001S');
    assert.equal(isoDuration(2.0000004), 'PT2S');
  });

  it('refuses negative and non-finite durations', () => {
    for (const bad of [-1, Number.POSITIVE_INFINITY, Number.NaN]) assert.throws(() => isoDuration(bad), RangeError);
  });
});

describe('frameRateAttr', () => {
  it('integers, NTSC rates over 1001, other rates as reduced thousandths', () => {
    assert.equal(frameRateAttr(25), '25');
    assert.equal(frameRateAttr(60), '60');
    assert.equal(frameRateAttr(24000 / 1001), '24000/1001');
    assert.equal(frameRateAttr(29.97), '30000/1001');
    assert.equal(frameRateAttr(59.94), '60000/1001');
    assert.equal(frameRateAttr(23.5), '47/2');
    assert.equal(frameRateAttr(0.5), '1/2');
    assert.equal(frameRateAttr(7.125), '57/8');
  });

  it('refuses zero, negative and non-finite rates', () => {
    for (const bad of [0, -25, Number.NaN, Number.POSITIVE_INFINITY]) assert.throws(() => frameRateAttr(bad), RangeError);
  });
});

describe('segmentTimeline', () => {
  it('runs of equal contiguous durations become r; a new duration continues without t', () => {
    assert.deepEqual(segmentTimeline([
      { start: 0, duration: 10 }, { start: 10, duration: 10 }, { start: 20, duration: 5 },
      { start: 25, duration: 10 }, { start: 35, duration: 10 }, { start: 45, duration: 10 },
    ]), ['<S t="0" d="10" r="1"/>', '<S d="5"/>', '<S d="10" r="2"/>']);
  });

  it('t is written on the first segment and again after a gap or an overlap', () => {
    assert.deepEqual(segmentTimeline([{ start: 7, duration: 3 }]), ['<S t="7" d="3"/>']);
    assert.deepEqual(segmentTimeline([{ start: 0, duration: 10 }, { start: 12, duration: 10 }, { start: 22, duration: 10 }]),
      ['<S t="0" d="10"/>', '<S t="12" d="10" r="1"/>']);
    assert.deepEqual(segmentTimeline([{ start: 0, duration: 10 }, { start: 5, duration: 10 }]), ['<S t="0" d="10"/>', '<S t="5" d="10"/>']);
  });

  it('refuses an empty list, fractional or negative starts and non-positive durations, naming the index', () => {
    assert.throws(() => segmentTimeline([]), /at least one segment/);
    assert.throws(() => segmentTimeline([{ start: 0, duration: 1 }, { start: 1.5, duration: 1 }]), /segments\[1\]/);
    assert.throws(() => segmentTimeline([{ start: -1, duration: 1 }]), RangeError);
    assert.throws(() => segmentTimeline([{ start: 0, duration: 0 }]), RangeError);
  });
});

describe('peakBandwidth', () => {
  it('the largest segment rate in bits/s, not the average', () => {
    // 300001 B over 2 s = 1200004 b/s; 200000 B over 2 s = 800000; 120000 B over 1 s = 960000.
    assert.equal(peakBandwidth(HIGH), 1_200_004);
    assert.equal(peakBandwidth(LOW), 400_000);
  });

  it('rounded up', () => {
    // 1 byte over 3 ticks of a 1 Hz timescale: 8/3 b/s.
    assert.equal(peakBandwidth({ dir: 'x', initUri: 'init.mp4', timescale: 1, codecs: 'c', segments: [seg(1, 0, 3, 1)] }), 3);
    // 16001 B over 48960/48000 s = 125498.04 b/s.
    assert.equal(peakBandwidth({ ...AUDIO, segments: [AUDIO.segments[2]!] }), 125_499);
  });

  it('a track without segments is refused by name', () => {
    assert.throws(() => peakBandwidth({ ...HIGH, segments: [] }), /Cannot measure 480p: it has no segments/);
  });
});

describe('writeDashManifest', () => {
  const file = writeDashManifest(
    [{ track: HIGH, width: 854, height: 480, frameRate: 25 }, { track: LOW, width: 640, height: 360, frameRate: 25 }],
    { track: AUDIO, sampleRate: 48000, channels: 2 },
  );
  const text = new TextDecoder().decode(file.bytes);
  const doc = parseTags(text);

  it('one static MPD at manifest.mpd: duration to the last track end, buffer of the longest segment', () => {
    assert.equal(file.path, MPD_PATH);
    assert.equal(MPD_PATH, 'manifest.mpd');
    assert.ok(text.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n'));
    assert.equal(doc.name, 'MPD');
    assert.deepEqual(doc.attrs, {
      xmlns: 'urn:mpeg:dash:schema:mpd:2011',
      profiles: 'urn:mpeg:dash:profile:isoff-live:2011,urn:mpeg:dash:profile:cmaf:2019',
      type: 'static',
      mediaPresentationDuration: 'PT5.02S', // audio ends at 240960 / 48000 s, after the video's 5 s
      minBufferTime: 'PT2S',
    });
    const periods = kids(doc, 'Period');
    assert.equal(periods.length, 1);
    assert.deepEqual(periods[0]!.attrs, { id: '0', start: 'PT0S' });
  });

  it('the video AdaptationSet: one Representation per rung with its template and timeline', () => {
    const [video] = kids(kids(doc, 'Period')[0]!, 'AdaptationSet');
    assert.deepEqual(video!.attrs, {
      id: '0', contentType: 'video', mimeType: 'video/mp4', segmentAlignment: 'true', startWithSAP: '1', maxWidth: '854', maxHeight: '480',
    });
    const reps = kids(video!, 'Representation');
    assert.deepEqual(reps.map((r) => r.attrs), [
      { id: '480p', codecs: 'av01.0.04M.08', bandwidth: '1200004', width: '854', height: '480', frameRate: '25', sar: '1:1' },
      { id: '360p', codecs: 'av01.0.01M.08', bandwidth: '400000', width: '640', height: '360', frameRate: '25', sar: '1:1' },
    ]);
    const [tpl] = kids(reps[0]!, 'SegmentTemplate');
    assert.deepEqual(tpl!.attrs, { timescale: '90000', initialization: '480p/init.mp4', media: '480p/seg-$Number$.m4s', startNumber: '1' });
    const ss = kids(kids(tpl!, 'SegmentTimeline')[0]!, 'S').map((s) => s.attrs);
    assert.deepEqual(ss, [{ t: '0', d: '180000', r: '1' }, { d: '90000' }]);
  });

  it('the audio AdaptationSet: sampling rate, channel configuration, its own timeline', () => {
    const [, audio] = kids(kids(doc, 'Period')[0]!, 'AdaptationSet');
    assert.deepEqual(audio!.attrs, { id: '1', contentType: 'audio', mimeType: 'audio/mp4', lang: 'und', segmentAlignment: 'true', startWithSAP: '1' });
    const [rep] = kids(audio!, 'Representation');
    assert.deepEqual(rep!.attrs, { id: 'audio', codecs: 'mp4a.40.2', bandwidth: '128000', audioSamplingRate: '48000' });
    assert.deepEqual(kids(rep!, 'AudioChannelConfiguration')[0]!.attrs, { schemeIdUri: 'urn:mpeg:dash:23003:3:audio_channel_configuration:2011', value: '2' });
    const tpl = kids(rep!, 'SegmentTemplate')[0]!;
    assert.equal(tpl.attrs.media, 'audio/seg-$Number$.m4s');
    assert.deepEqual(kids(kids(tpl, 'SegmentTimeline')[0]!, 'S').map((s) => s.attrs), [{ t: '0', d: '96000', r: '1' }, { d: '48960' }]);
  });

  it('without audio there is a single AdaptationSet', () => {
    const only = parseTags(new TextDecoder().decode(writeDashManifest([{ track: LOW, width: 640, height: 360, frameRate: 30000 / 1001 }], null).bytes));
    const sets = kids(kids(only, 'Period')[0]!, 'AdaptationSet');
    assert.equal(sets.length, 1);
    assert.equal(kids(sets[0]!, 'Representation')[0]!.attrs.frameRate, '30000/1001');
    assert.equal(only.attrs.mediaPresentationDuration, 'PT5S');
  });

  it('segments must be named seg-1.m4s, seg-2.m4s, … in order for the $Number$ template', () => {
    const misnamed: CmafTrack = { ...LOW, segments: [LOW.segments[0]!, { ...LOW.segments[1]!, uri: 'seg-3.m4s' }] };
    assert.throws(() => writeDashManifest([{ track: misnamed, width: 640, height: 360, frameRate: 25 }], null), /360p\/seg-3\.m4s.*expected seg-2\.m4s/);
  });
});

describe('mpd', () => {
  const rep = (over: Partial<MpdVideoRepresentation> = {}): MpdVideoRepresentation => ({
    id: 'v', codecs: 'av01.0.00M.08', bandwidth: 1000, width: 16, height: 16, frameRate: 25,
    template: { timescale: 25, initialization: 'v/init.mp4', media: 'v/$Number$.m4s', segments: [{ start: 0, duration: 25 }] },
    ...over,
  });
  const base = (video: MpdVideoRepresentation[], extra: Partial<MpdOptions> = {}): MpdOptions => ({ durationSeconds: 1, minBufferSeconds: 1, video, ...extra });

  it('custom profiles and startNumber are written; attribute values are escaped', () => {
    const text = mpd(base([rep({ template: { ...rep().template, startNumber: 5, initialization: 'a&b"<c>/init.mp4' } })], { profiles: 'urn:x' }));
    assert.match(text, /initialization="a&amp;b&quot;&lt;c&gt;\/init\.mp4"/);
    const doc = parseTags(text);
    assert.equal(doc.attrs.profiles, 'urn:x');
    const tpl = kids(kids(kids(kids(doc, 'Period')[0]!, 'AdaptationSet')[0]!, 'Representation')[0]!, 'SegmentTemplate')[0]!;
    assert.deepEqual([tpl.attrs.startNumber, tpl.attrs.initialization], ['5', 'a&b"<c>/init.mp4']);
    assert.ok(text.endsWith('</MPD>\n'));
  });

  it('maxWidth and maxHeight are maxima over the rungs, each taken separately', () => {
    const doc = parseTags(mpd(base([rep({ id: 'a', width: 100, height: 300 }), rep({ id: 'b', width: 200, height: 100 })])));
    const set = kids(kids(doc, 'Period')[0]!, 'AdaptationSet')[0]!;
    assert.deepEqual([set.attrs.maxWidth, set.attrs.maxHeight], ['200', '300']);
  });

  it('refusals: no video, duplicate or blank ids, bad numbers, a media URL without $Number$', () => {
    assert.throws(() => mpd(base([])), /video must not be empty/);
    assert.throws(() => mpd(base([rep(), rep()])), /ids must be unique/);
    assert.throws(() => mpd(base([rep({ id: 'a b' })])), /ids must be unique and without whitespace/);
    assert.throws(() => mpd(base([rep({ bandwidth: 0 })])), /v: bandwidth must be a positive integer/);
    assert.throws(() => mpd(base([rep({ width: 1.5 })])), /v: width/);
    assert.throws(() => mpd(base([rep({ template: { ...rep().template, media: 'v/seg.m4s' } })])), /\$Number\$/);
    assert.throws(() => mpd(base([rep({ template: { ...rep().template, timescale: 0 } })])), /timescale/);
    const audio = { id: 'a', codecs: 'opus', bandwidth: 1, sampleRate: 48000, channels: 0, template: rep().template };
    assert.throws(() => mpd(base([rep()], { audio: { representation: audio } })), /a: channels/);
    assert.throws(() => mpd(base([rep()], { audio: { representation: { ...audio, id: 'v', channels: 2 } } })), /unique/);
  });
});
