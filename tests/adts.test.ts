// ADTS AAC made fit for MP4 (src/audio/adts.ts) and the audio option's decisions
// (src/audio/audio.ts): headers parsed and stripped (with and without CRC), the AudioSpecificConfig
// checked against the bytes ffmpeg writes, and every refusal typed and named. No browser needed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { audioSpecificConfig, parseAdtsHeader, unwrapAdts } from '../src/audio/adts.ts';
import { dropAudio, prepareAudio } from '../src/audio/audio.ts';
import type { SourceAudio } from '../src/demux/demux.ts';
import { checkOptions, parseAudioMode } from '../src/options.ts';

/** One ADTS frame: `payload` behind a 7-byte header, or a 9-byte one with a CRC. */
function frame(payload: number[], o: { profile?: number; sfi?: number; channels?: number; crc?: boolean; blocks?: number; length?: number } = {}): Uint8Array {
  const header = o.crc ? 9 : 7;
  const len = o.length ?? header + payload.length;
  const h = [
    0xff, 0xf0 | (o.crc ? 0 : 1),
    ((o.profile ?? 1) << 6) | ((o.sfi ?? 4) << 2) | ((o.channels ?? 2) >> 2),
    (((o.channels ?? 2) & 3) << 6) | (len >> 11),
    (len >> 3) & 0xff,
    ((len & 7) << 5) | 0x1f,
    0xfc | ((o.blocks ?? 1) - 1),
    ...(o.crc ? [0xab, 0xcd] : []),
  ];
  return new Uint8Array([...h, ...payload]);
}

function source(frames: Uint8Array[]): SourceAudio {
  return {
    codec: 'aac', codecString: 'mp4a.40.2', sampleRate: 44100, numberOfChannels: 2, description: undefined,
    packets: frames.map((data, i) => ({ data, key: true, timestamp: Math.round((i * 1024 * 1e6) / 44100), duration: 23220 })),
  };
}

describe('ADTS AAC → raw AAC with an AudioSpecificConfig', () => {
  it('parses the header fields, with and without CRC', () => {
    assert.deepEqual(parseAdtsHeader(frame([1, 2, 3])), { objectType: 2, sampleRateIndex: 4, channelConfiguration: 2, headerLength: 7, frameLength: 10, rawDataBlocks: 1 });
    assert.equal(parseAdtsHeader(frame([1, 2, 3], { crc: true }))?.headerLength, 9);
    assert.equal(parseAdtsHeader(new Uint8Array([0x47, 0x40, 0, 0, 0, 0, 0])), null, 'no sync word');
    assert.equal(parseAdtsHeader(frame([1], { sfi: 13 })), null, 'reserved sampling frequency index');
  });

  it('builds the AudioSpecificConfig ffmpeg writes (LC 44.1 kHz stereo 1210, LC 48 kHz 5.1 11B0, Main 96 kHz mono 0808)', () => {
    assert.deepEqual([...audioSpecificConfig({ objectType: 2, sampleRateIndex: 4, channelConfiguration: 2 })], [0x12, 0x10]);
    assert.deepEqual([...audioSpecificConfig({ objectType: 2, sampleRateIndex: 3, channelConfiguration: 6 })], [0x11, 0xb0]);
    assert.deepEqual([...audioSpecificConfig({ objectType: 1, sampleRateIndex: 0, channelConfiguration: 1 })], [0x08, 0x08]);
  });

  it('strips 7- and 9-byte (CRC) headers and keeps the payloads, timestamps and order', () => {
    for (const crc of [false, true]) {
      const src = source([frame([1, 2, 3], { crc }), frame([4, 5], { crc }), frame([6], { crc })]);
      const { audio, notices } = unwrapAdts(src);
      assert.deepEqual(audio.packets.map((p) => [...p.data]), [[1, 2, 3], [4, 5], [6]]);
      assert.deepEqual(audio.packets.map((p) => p.timestamp), src.packets.map((p) => p.timestamp));
      assert.deepEqual([...audio.description!], [0x12, 0x10]);
      assert.equal(audio.codecString, 'mp4a.40.2');
      assert.equal(audio.sampleRate, 44100);
      assert.deepEqual(notices, []);
    }
  });

  it('takes 5.1 (channel configuration 6) and 7.1 (7 → 8 channels)', () => {
    assert.equal(unwrapAdts(source([frame([1], { channels: 6, sfi: 3 })])).audio.numberOfChannels, 6);
    assert.equal(unwrapAdts(source([frame([1], { channels: 7 })])).audio.numberOfChannels, 8);
  });

  it('refuses a configuration that changes mid-stream, naming the packet and both configurations', () => {
    const src = source([frame([1]), frame([2]), frame([3], { sfi: 3, channels: 6 }), frame([4], { sfi: 3, channels: 6 })]);
    assert.throws(() => unwrapAdts(src), (e: Error) => e.name === 'UnsupportedCodecError' && /changes mid-stream at packet 3 of 4 .*44100 Hz, 2 ch to AAC LC, 48000 Hz, 6 ch/.test(e.message));
  });

  it('calls one stray header that differs a corrupt header, not a change', () => {
    const src = source([frame([1]), frame([2], { sfi: 3 }), frame([3])]);
    assert.throws(() => unwrapAdts(src), (e: Error) => e.name === 'CorruptInputError' && /packet 2 of 3 \(at 0\.023 s\) has a corrupt ADTS header/.test(e.message));
  });

  it('refuses in-band channel layouts, multi-block frames and lengths that disagree; leaves out a cut-off last frame with a notice', () => {
    assert.throws(() => unwrapAdts(source([frame([1], { channels: 0 })])), { name: 'UnsupportedCodecError', message: /channel configuration 0/ });
    assert.throws(() => unwrapAdts(source([frame([1], { blocks: 2 })])), { name: 'UnsupportedCodecError', message: /packs 2 AAC frames/ });
    assert.throws(() => unwrapAdts(source([frame([1], { length: 20 }), frame([2])])), { name: 'CorruptInputError', message: /is 8 bytes but its ADTS header says 20/ });
    const cut = unwrapAdts(source([frame([1]), frame([2], { length: 30 })]));
    assert.equal(cut.audio.packets.length, 1);
    assert.match(cut.notices[0]!, /last AAC frame .* is cut off \(8 of 30 bytes\) and was left out/);
  });
});

describe('the audio option', () => {
  it('carries ADTS AAC in any runtime (even one without WebCodecs audio) and says so', async () => {
    const r = await prepareAudio(source([frame([1, 2]), frame([3])]), null);
    assert.equal(r.outcome.action, 'carried');
    assert.deepEqual(r.outcome.output, { codec: 'aac', codecString: 'mp4a.40.2', sampleRate: 44100, numberOfChannels: 2 });
    assert.match(r.notices.join('\n'), /Audio carried without re-encoding: .*ADTS headers stripped/);
  });

  it("'auto' fails on audio it must re-encode without AudioDecoder/AudioEncoder, with the hint to drop it", async () => {
    const mp3: SourceAudio = { codec: 'mp3', codecString: 'mp3', sampleRate: 44100, numberOfChannels: 2, description: undefined, packets: [{ data: new Uint8Array(4), key: true, timestamp: 0, duration: 26122 }] };
    await assert.rejects(prepareAudio(mp3, null, 'auto'), (e: Error) => e.name === 'UnsupportedCodecError'
      && e.message.startsWith("Cannot carry the source's mp3 audio (mp3, 44100 Hz, 2 ch): it must be re-encoded, and this runtime has no WebCodecs AudioDecoder/AudioEncoder")
      && e.message.includes('--audio drop'));
    await assert.rejects(prepareAudio(mp3, null, 'require'), (e: Error) => e.name === 'UnsupportedCodecError' && !e.message.includes('--audio drop'));
  });

  it("'require' without audio is a NoAudioTrackError; 'drop' reads nothing and says what it left out", async () => {
    await assert.rejects(prepareAudio(null, null, 'require'), { name: 'NoAudioTrackError' });
    const d = dropAudio({ codec: 'ac3', sampleRate: 48000, numberOfChannels: 6 });
    assert.equal(d.track, null);
    assert.equal(d.outcome.action, 'dropped');
    assert.match(d.notices[0]!, /Audio dropped .*ac3, 48000 Hz, 6 ch/);
    assert.equal(dropAudio(null).outcome.action, 'none');
  });

  it('is validated: options.audio and --audio', () => {
    assert.throws(() => checkOptions({ input: new Uint8Array(1), audio: 'mute' as never }), { name: 'TypeError', message: /options.audio must be 'auto', 'drop' or 'require'/ });
    assert.equal(parseAudioMode('drop'), 'drop');
    assert.throws(() => parseAudioMode('none'), { name: 'RangeError', message: /bad --audio "none"/ });
  });
});
