// The audio stage (src/audio/audio.ts) with fake WebCodecs codecs (tests/lib/fake-audio.ts): what is
// carried, dropped or re-encoded and the outcome and notices that say so; the Opus re-encode's
// configuration, timestamps, description, closing of every AudioData and both codecs, backpressure,
// and its errors (no WebCodecs, unsupported configs, a decoder failure, a format change, an abort).
// ADTS unwrapping has its own file (tests/adts.test.ts).
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { OpusTrack, dropAudio, opusEncoderConfig, opusHead, prepareAudio, reencodeAsOpus } from '../../src/audio/audio.ts';
import type { SourceAudio } from '../../src/demux/demux.ts';
import { CodecFailureError, NoAudioTrackError, UnsupportedCodecError } from '../../src/errors.ts';
import { audioLog, fakeAudioCodecs, script } from '../lib/fake-audio.ts';
import type { AudioCodecs } from '../../src/types/mod.ts';

function source(codec: string, packets: number, extra: Partial<SourceAudio> = {}): SourceAudio {
  return {
    codec,
    codecString: codec === 'aac' ? 'mp4a.40.2' : codec,
    sampleRate: 44_100,
    numberOfChannels: 2,
    description: undefined,
    packets: Array.from({ length: packets }, (_, i) => ({ data: Uint8Array.of(i & 0xff, 1, 2), key: true, timestamp: i * 26_122, duration: 26_122 })),
    ...extra,
  };
}

describe('prepareAudio: carry, none, drop', () => {
  it("no audio with 'require': NoAudioTrackError", async () => {
    await assert.rejects(prepareAudio(null, null, 'require'), (e: unknown) => e instanceof NoAudioTrackError && e.message === "Input has no audio track (audio: 'require')");
  });

  it("no audio with 'auto': no track, action 'none', a notice", async () => {
    const p = await prepareAudio(null, null);
    assert.equal(p.track, null);
    assert.deepEqual(p.outcome, { action: 'none', source: null, output: null });
    assert.deepEqual(p.notices, ['The source has no audio: the outputs are video only']);
  });

  it('AAC with its AudioSpecificConfig is carried as is', async () => {
    const src = source('aac', 3, { description: Uint8Array.of(0x12, 0x10) });
    const p = await prepareAudio(src, null);
    assert.equal(p.track!.packets, src.packets, 'the same packets, not copies');
    assert.equal(p.track!.description, src.description);
    assert.deepEqual(p.outcome, {
      action: 'carried',
      source: { codec: 'aac', sampleRate: 44_100, numberOfChannels: 2 },
      output: { codec: 'aac', codecString: 'mp4a.40.2', sampleRate: 44_100, numberOfChannels: 2 },
    });
    assert.deepEqual(p.notices, ["Audio carried without re-encoding: the source's aac (mp4a.40.2), 44100 Hz, 2 ch"]);
  });

  it('AAC whose config is under 2 bytes is not carriable (and, without WebCodecs, is an error)', async () => {
    await assert.rejects(prepareAudio(source('aac', 1, { description: Uint8Array.of(0x12) }), null), UnsupportedCodecError);
  });

  it('Opus without an OpusHead is carried with a plain one (mapping family 0)', async () => {
    const p = await prepareAudio(source('opus', 2, { sampleRate: 48_000, numberOfChannels: 1 }), null);
    assert.equal(p.outcome.action, 'carried');
    assert.deepEqual([...p.track!.description!], [...opusHead(1, 0, 48_000)]);
  });

  it("dropAudio: 'dropped' with the source named, or 'none'", () => {
    const d = dropAudio({ codec: 'mp3', sampleRate: 44_100, numberOfChannels: 2 });
    assert.equal(d.track, null);
    assert.equal(d.outcome.action, 'dropped');
    assert.deepEqual(d.notices, ["Audio dropped (audio: 'drop'): the source's mp3, 44100 Hz, 2 ch is not in the outputs"]);
    assert.equal(dropAudio(null).outcome.action, 'none');
  });
});

describe('opusHead and opusEncoderConfig', () => {
  it('OpusHead per RFC 7845 5.1: magic, version 1, channels, pre-skip and rate little-endian', () => {
    const h = opusHead(2, 312, 44_100);
    assert.equal(h.byteLength, 19);
    assert.equal(new TextDecoder().decode(h.subarray(0, 8)), 'OpusHead');
    const v = new DataView(h.buffer);
    assert.deepEqual([v.getUint8(8), v.getUint8(9), v.getUint16(10, true), v.getUint32(12, true), v.getInt16(16, true), v.getUint8(18)], [1, 2, 312, 44_100, 0, 0]);
  });

  it('64 kbit/s per channel', () => {
    assert.deepEqual(opusEncoderConfig(48_000, 6), { codec: 'opus', sampleRate: 48_000, numberOfChannels: 6, bitrate: 384_000 });
  });

  it('OpusTrack sorts its packets by time and takes the first description it is given', () => {
    const t = new OpusTrack(2, 44_100);
    const chunk = (ts: number) => ({ byteLength: 1, timestamp: ts, duration: null, copyTo: (d: Uint8Array) => d.set([ts & 0xff]) }) as unknown as EncodedAudioChunk;
    t.output(chunk(40_000), { decoderConfig: { codec: 'opus', sampleRate: 48_000, numberOfChannels: 2, description: Uint8Array.of(9) } });
    t.output(chunk(0), { decoderConfig: { codec: 'opus', sampleRate: 48_000, numberOfChannels: 2, description: Uint8Array.of(7) } });
    const track = t.finish();
    assert.deepEqual(track.packets.map((p) => [p.timestamp, p.duration, p.data[0]]), [[0, 20_000, 0], [40_000, 20_000, 40_000 & 0xff]]);
    assert.deepEqual([...track.description!], [9]);
    assert.equal(track.sampleRate, 48_000, 'Opus timestamps are at 48 kHz whatever the input');
  });
});

describe('re-encoding as Opus (fake AudioDecoder / AudioEncoder)', () => {
  let codecs: AudioCodecs;
  beforeEach(() => { codecs = fakeAudioCodecs(); });

  it('without WebCodecs audio: UnsupportedCodecError; with auto it says how to drop the audio', async () => {
      await assert.rejects(prepareAudio(source('mp3', 2), null), (e: unknown) => e instanceof UnsupportedCodecError
        && /^Cannot carry the source's mp3 audio \(mp3, 44100 Hz, 2 ch\): it must be re-encoded, and this runtime has no WebCodecs AudioDecoder\/AudioEncoder\. To transcode the video without it, pass audio: 'drop' \(--audio drop\)$/.test(e.message));
      await assert.rejects(prepareAudio(source('mp3', 2), null, 'require'), (e: unknown) => e instanceof UnsupportedCodecError && !e.message.includes("audio: 'drop'"));
  });

  it('MP3 → Opus: one packet per AudioData, times kept, every AudioData closed, both codecs closed', async () => {
    const src = source('mp3', 40);
    const p = await prepareAudio(src, codecs);
    assert.equal(p.outcome.action, 're-encoded');
    assert.deepEqual(p.outcome.output, { codec: 'opus', codecString: 'opus', sampleRate: 48_000, numberOfChannels: 2 });
    assert.deepEqual(p.notices, ["Audio re-encoded: the source's mp3, 44100 Hz, 2 ch as Opus, 48000 Hz, 2 ch"]);
    assert.deepEqual(p.track!.packets.map((x) => x.timestamp), src.packets.map((x) => x.timestamp));
    assert.deepEqual([...p.track!.description!], [...script.encoderDescription!]);
    const [dec] = audioLog.decoders;
    const [enc] = audioLog.encoders;
    assert.deepEqual(dec!.config, { codec: 'mp3', sampleRate: 44_100, numberOfChannels: 2 });
    assert.deepEqual(enc!.config, opusEncoderConfig(44_100, 2));
    assert.equal(audioLog.data.length, 40);
    assert.ok(audioLog.data.every((d) => d.closed), 'every AudioData is closed');
    assert.ok(enc!.givenOpen.every(Boolean), 'each AudioData is encoded before it is closed');
    assert.equal(dec!.state, 'closed');
    assert.equal(enc!.state, 'closed');
  });

  it('the decoder config carries the description when the source has one', async () => {
    await reencodeAsOpus(source('vorbis', 2, { description: Uint8Array.of(1, 2, 3) }), codecs);
    assert.deepEqual([...(audioLog.decoders[0]!.config!.description as Uint8Array)], [1, 2, 3]);
  });

  it('the encoder follows the decoded format (HE-AAC doubles the rate); no encoder metadata: a plain OpusHead', async () => {
    script.decodedFormat = () => ({ sampleRate: 44_100, numberOfChannels: 1 });
    script.encoderDescription = null;
    const track = await reencodeAsOpus(source('mp3', 3, { sampleRate: 22_050, numberOfChannels: 1 }), codecs);
    assert.deepEqual(audioLog.encoders[0]!.config, opusEncoderConfig(44_100, 1));
    assert.equal(track.numberOfChannels, 1);
    assert.deepEqual([...track.description!], [...opusHead(1, 0, 44_100)]);
  });

  it('no more than 16 buffers wait in the codecs when a packet is handed over', async () => {
    await reencodeAsOpus(source('mp3', 120), codecs);
    assert.equal(audioLog.queuedAtDecode.length, 120);
    assert.ok(Math.max(...audioLog.queuedAtDecode) <= 16, `queued at decode: max ${Math.max(...audioLog.queuedAtDecode)}`);
    assert.ok(Math.max(...audioLog.queuedAtDecode) >= 8, 'the fakes do queue (else the bound is untested)');
  });

  it('refused configurations are UnsupportedCodecErrors that say which side', async () => {
    script.decodeSupported = () => false;
    await assert.rejects(reencodeAsOpus(source('flac', 2), codecs), (e: unknown) => e instanceof UnsupportedCodecError && /this runtime cannot decode it to re-encode it as Opus$/.test(e.message));
    script.decodeSupported = () => true;
    script.encodeSupported = () => false;
    await assert.rejects(reencodeAsOpus(source('flac', 2), codecs), (e: unknown) => e instanceof UnsupportedCodecError && /cannot encode 2-channel 44100 Hz Opus$/.test(e.message));
    assert.equal(audioLog.decoders.length, 0, 'no codec is made before both configs are known good');
  });

  it('a decoder error is a CodecFailureError naming the decoder; codecs closed, data closed', async () => {
    script.decodeFailsAt = 5;
    await assert.rejects(reencodeAsOpus(source('mp3', 30), codecs), (e: unknown) => e instanceof CodecFailureError
      && /^Re-encoding the source's mp3 audio .* as Opus failed in the decoder: bad packet 5$/.test(e.message));
    assert.ok(audioLog.data.every((d) => d.closed));
    assert.ok(audioLog.encoders.every((e) => e.state === 'closed'));
  });

  it('a format change mid-stream is a CodecFailureError', async () => {
    script.decodedFormat = (n) => ({ sampleRate: n < 3 ? 44_100 : 48_000, numberOfChannels: 2 });
    await assert.rejects(reencodeAsOpus(source('mp3', 10), codecs), (e: unknown) => e instanceof CodecFailureError && /the decoded format changed mid-stream \(44100\/2 → 48000\/2\)/.test(e.message));
    assert.ok(audioLog.data.every((d) => d.closed));
  });

  it('a decoder that yields nothing is a CodecFailureError', async () => {
    await assert.rejects(reencodeAsOpus(source('mp3', 0), codecs), (e: unknown) => e instanceof CodecFailureError && /the decoder produced no audio from 0 packets/.test(e.message));
  });

  it('an abort ends it with an AbortError and closes both codecs', async () => {
    const ac = new AbortController();
    const run = reencodeAsOpus(source('mp3', 200), codecs, ac.signal);
    setTimeout(() => ac.abort(), 5);
    await assert.rejects(run, (e: unknown) => (e as Error).name === 'AbortError');
    assert.ok(audioLog.data.length < 200, 'stopped early');
    assert.equal(audioLog.decoders[0]!.state, 'closed');
    assert.ok(audioLog.encoders.every((e) => e.state === 'closed'));
  });
});
