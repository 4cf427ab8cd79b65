// WebCodecs audio under Deno (src/platform/deno/audio-*.ts over node-av): sources made here by
// Debian's ffmpeg from video.mp4's audio with a 440 Hz tone mixed in (MP3, FLAC in MKV, Vorbis in
// Ogg, AC-3 in MKV, PCM in WAV) are demuxed by mediabunny, decoded by our AudioDecoder and checked
// against ffmpeg's own decode (duration within 50 ms, the tone present); encoded to Opus and AAC by
// our AudioEncoder, muxed by mediabunny and decoded back by ffmpeg; AudioData.copyTo conversions
// on known values; reset() mid-stream; typed errors; a frame source's AudioData encoded by the engine's
// FrameAudioEncoder; and the Deno CLI carrying an MKV's FLAC as Opus in its MP4.
import { ALL_FORMATS, BufferSource, BufferTarget, EncodedAudioPacketSource, EncodedPacket, EncodedPacketSink, Input, Mp4OutputFormat, OggOutputFormat, Output } from 'mediabunny';
import { FrameAudioEncoder } from '../../src/input/frame-audio.ts';
import { denoRuntime } from '../../src/platform/deno/runtime.ts';
import { audioMeanVolumeDb, decodedAudioSeconds, ffprobe } from '../lib/media.ts';

// The engine takes these classes from the runtime; nothing is installed on globalThis.
const audioCodecs = denoRuntime().codecs!.audio!;
const { AudioData, AudioDecoder, AudioEncoder, EncodedAudioChunk } = audioCodecs;

const VIDEO = new URL('../../../shared/media/video.mp4', import.meta.url).pathname;
const ROOT = new URL('../../', import.meta.url).pathname;

function assert(cond: unknown, msg: string): asserts cond {
  if (!cond) throw new Error(msg);
}

async function ffmpeg(args: string[]): Promise<void> {
  const out = await new Deno.Command('ffmpeg', { args: ['-v', 'error', '-nostdin', '-y', ...args], stdout: 'null', stderr: 'piped' }).output();
  if (!out.success) throw new Error(`ffmpeg ${args.join(' ')} failed: ${new TextDecoder().decode(out.stderr).slice(-1500)}`);
}

const dir = await Deno.makeTempDir({ prefix: 'deno-webcodecs-audio-' });
globalThis.addEventListener('unload', () => Deno.removeSync(dir, { recursive: true }));

/** video.mp4's audio (silent) with a 440 Hz tone mixed in, so a lost signal shows. */
async function makeSource(name: string, audio: string[], video: string[] = ['-vn']): Promise<string> {
  const file = `${dir}/${name}`;
  await ffmpeg(['-i', VIDEO, '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000:duration=10',
    '-filter_complex', '[0:a][1:a]amix=inputs=2:duration=first:normalize=0[a]', '-map', '[a]', ...(video[0] === '-vn' ? [] : ['-map', '0:v']),
    ...video, ...audio, file]);
  return file;
}

interface Demuxed { config: AudioDecoderConfig; chunks: EncodedAudioChunk[] }

async function demuxAudio(file: string): Promise<Demuxed> {
  const input = new Input({ source: new BufferSource(await Deno.readFile(file)), formats: ALL_FORMATS });
  try {
    const track = await input.getPrimaryAudioTrack();
    assert(track, `${file}: an audio track`);
    const config = await track.getDecoderConfig();
    assert(config, `${file}: a decoder config`);
    const chunks: EncodedAudioChunk[] = [];
    for await (const p of new EncodedPacketSink(track).packets()) {
      chunks.push(new EncodedAudioChunk({ type: 'key', data: p.data, timestamp: Math.round(p.timestamp * 1e6), duration: Math.round(p.duration * 1e6) }));
    }
    return { config, chunks };
  } finally {
    input.dispose();
  }
}

interface Decoded { seconds: number; rms: number; first: number; data: AudioData[] }

/** Decodes every chunk; keeps the AudioData when asked (the caller closes them). */
async function decodeAll(d: Demuxed, keep = false): Promise<Decoded> {
  let frames = 0;
  let rate = 0;
  let sum = 0;
  let n = 0;
  let first = NaN;
  const kept: AudioData[] = [];
  let error: DOMException | null = null;
  const dec = new AudioDecoder({
    output: (a) => {
      try {
        assert(a.format === 'f32-planar', `decoded format ${a.format}`);
        if (Number.isNaN(first)) first = a.timestamp;
        frames += a.numberOfFrames;
        rate = a.sampleRate;
        const plane = new Float32Array(a.numberOfFrames);
        a.copyTo(plane, { planeIndex: 0 });
        for (const v of plane) { sum += v * v; n++; }
        if (keep) kept.push(a.clone());
      } finally {
        a.close();
      }
    },
    error: (e) => { error = e; },
  });
  dec.configure(d.config);
  for (const c of d.chunks) dec.decode(c);
  await dec.flush();
  dec.close();
  if (error) throw error;
  return { seconds: frames / rate, rms: Math.sqrt(sum / Math.max(1, n)), first, data: kept };
}

interface Encoded { chunks: EncodedAudioChunk[]; meta: EncodedAudioChunkMetadata[] }

async function encodeAll(data: AudioData[], config: AudioEncoderConfig): Promise<Encoded> {
  const out: Encoded = { chunks: [], meta: [] };
  let error: DOMException | null = null;
  const enc = new AudioEncoder({
    output: (chunk, meta) => { out.chunks.push(chunk); if (meta?.decoderConfig) out.meta.push(meta); },
    error: (e) => { error = e; },
  });
  enc.configure(config);
  for (const a of data) {
    enc.encode(a);
    a.close(); // encode() must not need the AudioData after it returns
  }
  await enc.flush();
  enc.close();
  if (error) throw error;
  return out;
}

async function mux(e: Encoded, codec: 'opus' | 'aac', file: string): Promise<void> {
  const output = new Output({ format: codec === 'opus' ? new OggOutputFormat() : new Mp4OutputFormat(), target: new BufferTarget() });
  const source = new EncodedAudioPacketSource(codec);
  output.addAudioTrack(source);
  await output.start();
  for (const [i, c] of e.chunks.entries()) {
    // Not EncodedPacket.fromEncodedChunk: it checks `instanceof` against WebCodecs globals, which Deno lacks.
    const data = new Uint8Array(c.byteLength);
    c.copyTo(data);
    await source.add(new EncodedPacket(data, c.type, c.timestamp / 1e6, (c.duration ?? 0) / 1e6), i === 0 ? e.meta[0] : undefined);
  }
  await output.finalize();
  await Deno.writeFile(file, new Uint8Array((output.target as BufferTarget).buffer!));
}

const sources = [
  { name: 'mp3.mp3', codec: 'mp3', audio: ['-c:a', 'libmp3lame', '-b:a', '128k', '-ar', '44100'] },
  { name: 'flac.mkv', codec: 'flac', audio: ['-c:a', 'flac'] },
  { name: 'vorbis.ogg', codec: 'vorbis', audio: ['-c:a', 'libvorbis'] },
  { name: 'ac3.mkv', codec: 'ac3', audio: ['-c:a', 'ac3'] },
  { name: 'pcm.wav', codec: 'pcm_s16le', audio: ['-c:a', 'pcm_s16le'] },
];
const made = new Map<string, string>();
async function source(name: string): Promise<string> {
  const s = sources.find((x) => x.name === name)!;
  if (!made.has(name)) made.set(name, await makeSource(s.name, s.audio));
  return made.get(name)!;
}

Deno.test('AudioData.copyTo converts between sample formats on known values and checks its ranges', () => {
  // Two channels, three frames of s16, interleaved: L = -32768, 0, 32767; R = 16384, -16384, 1.
  const s16 = new Int16Array([-32768, 16384, 0, -16384, 32767, 1]);
  const a = new AudioData({ format: 's16', sampleRate: 48000, numberOfFrames: 3, numberOfChannels: 2, timestamp: 1000, data: s16 });
  assert(a.duration === 62, `duration ${a.duration} µs`);
  const f = new Float32Array(3);
  a.copyTo(f, { planeIndex: 0, format: 'f32-planar' });
  assert(f[0] === -1 && f[1] === 0 && f[2] === 1, `left as f32 ${[...f]}`);
  const r = new Float32Array(3);
  a.copyTo(r, { planeIndex: 1, format: 'f32-planar' });
  // Chromium's mapping is asymmetric: negative values over 32768, positive ones over 32767.
  assert(r[0] === Math.fround(16384 / 32767) && r[1] === -0.5 && r[2] === Math.fround(1 / 32767), `right as f32 ${[...r]}`);
  const u8 = new Uint8Array(6);
  a.copyTo(u8, { planeIndex: 0, format: 'u8' });
  assert([...u8].join() === [0, 128 + 64, 128, 64, 255, 128].join(), `as u8 ${[...u8]}`);
  const s32 = new Int32Array(2);
  a.copyTo(s32, { planeIndex: 0, format: 's32-planar', frameOffset: 1 });
  assert(s32[0] === 0 && s32[1] === 2147483647, `left frames 1.. as s32 ${[...s32]}`);
  const same = new Int16Array(2);
  a.copyTo(same, { planeIndex: 0, frameOffset: 1, frameCount: 1 });
  assert(same[0] === 0 && same[1] === -16384 , `interleaved s16 frame 1 ${[...same]}`);
  assert(a.allocationSize({ planeIndex: 0 }) === 12 && a.allocationSize({ planeIndex: 1, format: 'f32-planar', frameOffset: 2 }) === 4, 'allocation sizes');
  // f32-planar back to interleaved s16, and clamping.
  const fp = new AudioData({ format: 'f32-planar', sampleRate: 8000, numberOfFrames: 2, numberOfChannels: 2, timestamp: 0, data: new Float32Array([1, -1, 2, -0.5]) });
  const back = new Int16Array(4);
  fp.copyTo(back, { planeIndex: 0, format: 's16' });
  assert(back.join() === [32767, 32767, -32768, -16384].join(), `f32-planar as s16 ${[...back]}`);
  const throws = (fn: () => unknown, name: string, what: string) => {
    try { fn(); } catch (e) { assert((e as Error).name === name, `${what}: ${(e as Error).name} ${(e as Error).message}`); return; }
    throw new Error(`${what}: no ${name}`);
  };
  throws(() => a.copyTo(new Uint8Array(64), { planeIndex: 1 }), 'RangeError', 'plane 1 of interleaved');
  throws(() => a.copyTo(new Uint8Array(64), { planeIndex: 2, format: 'f32-planar' }), 'RangeError', 'plane 2 of stereo');
  throws(() => a.copyTo(new Uint8Array(64), { planeIndex: 0, frameOffset: 3 }), 'RangeError', 'frameOffset past the end');
  throws(() => a.copyTo(new Uint8Array(64), { planeIndex: 0, frameCount: 4 }), 'RangeError', 'frameCount past the end');
  throws(() => a.copyTo(new Uint8Array(4), { planeIndex: 0 }), 'RangeError', 'destination too small');
  throws(() => new AudioData({ format: 's16', sampleRate: 48000, numberOfFrames: 4, numberOfChannels: 2, timestamp: 0, data: s16 }), 'TypeError', 'data too short');
  throws(() => new AudioData({ format: 'f64' as AudioSampleFormat, sampleRate: 48000, numberOfFrames: 1, numberOfChannels: 1, timestamp: 0, data: s16 }), 'TypeError', 'unknown format');
  const c = a.clone();
  a.close();
  fp.close();
  assert(a.format === null && c.format === 's16', 'close() detaches only that AudioData');
  throws(() => a.copyTo(new Uint8Array(64), { planeIndex: 0 }), 'InvalidStateError', 'copyTo after close');
  c.close();
});

Deno.test('AudioDecoder decodes MP3, FLAC, Vorbis, AC-3 and PCM to ffmpeg\'s duration within 50 ms, tone intact', async () => {
  for (const s of sources) {
    const file = await source(s.name);
    assert(ffprobe(file).streams[0]?.codec_name === s.codec, `${file} is ${s.codec}`);
    const d = await demuxAudio(file);
    const support = await AudioDecoder.isConfigSupported(d.config);
    assert(support.supported === true, `${d.config.codec} supported`);
    const r = await decodeAll(d);
    const expected = decodedAudioSeconds(file);
    console.log(`${s.name} (${d.config.codec}, ${d.chunks.length} chunks): ${r.seconds.toFixed(3)} s, ffmpeg ${expected.toFixed(3)} s, rms ${r.rms.toFixed(3)}`);
    assert(Math.abs(r.seconds - expected) <= 0.05, `${s.name}: decoded ${r.seconds} s vs ffmpeg ${expected} s`);
    assert(r.rms > 0.03, `${s.name}: the tone survived (rms ${r.rms})`);
    assert(Math.abs(r.first - d.chunks[0]!.timestamp) < 1000, `${s.name}: first output at ${r.first} µs, first chunk at ${d.chunks[0]!.timestamp}`);
  }
});

Deno.test('AudioEncoder: Opus (libopus, from 44.1 kHz MP3 and 48 kHz FLAC) and AAC decode back in ffmpeg to the source duration within 50 ms', async () => {
  const cases = [
    { src: 'mp3.mp3', config: { codec: 'opus', bitrate: 96_000 } as const, out: 'opus-from-mp3.ogg', kind: 'opus' as const },
    { src: 'flac.mkv', config: { codec: 'opus', bitrate: 96_000 } as const, out: 'opus-from-flac.ogg', kind: 'opus' as const },
    { src: 'vorbis.ogg', config: { codec: 'mp4a.40.2', bitrate: 128_000 } as const, out: 'aac-from-vorbis.mp4', kind: 'aac' as const },
  ];
  for (const c of cases) {
    const file = await source(c.src);
    const decoded = await decodeAll(await demuxAudio(file), true);
    const { sampleRate, numberOfChannels, timestamp: first } = decoded.data[0]!;
    const config: AudioEncoderConfig = { ...c.config, sampleRate, numberOfChannels };
    assert((await AudioEncoder.isConfigSupported(config)).supported === true, `${c.config.codec} at ${sampleRate} Hz supported`);
    const e = await encodeAll(decoded.data, config);
    assert(e.meta.length === 1, `one decoderConfig, on the first chunk (${e.meta.length})`);
    const dc = e.meta[0]!.decoderConfig!;
    const desc = new Uint8Array(dc.description as ArrayBuffer);
    if (c.kind === 'opus') {
      assert(new TextDecoder().decode(desc.subarray(0, 8)) === 'OpusHead', 'the description is an OpusHead');
      const v = new DataView(desc.buffer, desc.byteOffset);
      assert(v.getUint8(9) === numberOfChannels && v.getUint16(10, true) > 0 && v.getUint32(12, true) === sampleRate, `OpusHead channels/pre-skip/input rate ${[...desc]}`);
      assert(e.chunks.slice(0, -1).every((k) => k.duration === 20_000), 'Opus packets of 20 ms');
    } else {
      assert(desc.byteLength >= 2 && (desc[0]! >> 3) === 2, `an AAC-LC AudioSpecificConfig (FFmpeg adds an explicit no-SBR extension) ${[...desc]}`);
    }
    assert(e.chunks[0]!.timestamp === first, `first chunk at the first AudioData's time (${e.chunks[0]!.timestamp} vs ${first})`);
    for (let i = 1; i < e.chunks.length; i++) assert(e.chunks[i]!.timestamp > e.chunks[i - 1]!.timestamp, 'chunk timestamps increase');
    const out = `${dir}/${c.out}`;
    await mux(e, c.kind, out);
    const seconds = decodedAudioSeconds(out);
    const volume = audioMeanVolumeDb(out);
    console.log(`${c.src} → ${c.out}: ${e.chunks.length} chunks, ffmpeg decodes ${seconds.toFixed(3)} s (source ${decoded.seconds.toFixed(3)} s), mean ${volume} dB`);
    assert(ffprobe(out).streams[0]?.codec_name === (c.kind === 'opus' ? 'opus' : 'aac'), `${out} codec`);
    assert(Math.abs(seconds - decoded.seconds) <= 0.05, `${out}: ${seconds} s vs source ${decoded.seconds} s`);
    assert(volume > -30, `${out}: the tone survived (${volume} dB)`);
  }
});

Deno.test("a frame source's AudioData (s16, 44.1 kHz, odd sizes) becomes an Opus track ffmpeg decodes to its length within 50 ms", async () => {
  const rate = 44_100;
  const enc = new FrameAudioEncoder(audioCodecs);
  let at = 0;
  // 1.5 s in pieces of 1000..1499 frames: none lines up with Opus's 960-sample frames.
  for (let i = 0; at < rate * 1.5; i++) {
    const n = Math.min(1000 + (i * 137) % 500, rate * 1.5 - at);
    const pcm = new Int16Array(n * 2);
    for (let k = 0; k < n; k++) pcm[2 * k] = pcm[2 * k + 1] = Math.round(8000 * Math.sin(2 * Math.PI * 440 * (at + k) / rate));
    await enc.add(new AudioData({ format: 's16', sampleRate: rate, numberOfFrames: n, numberOfChannels: 2, timestamp: Math.round(at / rate * 1e6), data: pcm }));
    at += n;
  }
  const track = await enc.finish();
  assert(track && track.codec === 'opus' && track.numberOfChannels === 2 && track.description, 'an Opus track with its OpusHead');
  assert(track.packets[0]!.timestamp === 0, `first packet at ${track.packets[0]!.timestamp} µs`);
  const e: Encoded = {
    chunks: track.packets.map((p) => new EncodedAudioChunk({ type: 'key', timestamp: p.timestamp, duration: p.duration, data: p.data })),
    meta: [{ decoderConfig: { codec: 'opus', sampleRate: 48_000, numberOfChannels: 2, description: track.description } }],
  };
  const out = `${dir}/frame-source.ogg`;
  await mux(e, 'opus', out);
  const seconds = decodedAudioSeconds(out);
  const volume = audioMeanVolumeDb(out);
  console.log(`frame source AudioData → ${track.packets.length} Opus packets, ffmpeg decodes ${seconds.toFixed(3)} s of 1.5 s, mean ${volume} dB`);
  assert(Math.abs(seconds - 1.5) <= 0.05, `${seconds} s vs 1.5 s`);
  assert(volume > -30, `the tone survived (${volume} dB)`);
});

Deno.test('reset() mid-stream drops queued work, rejects flush with AbortError, and the codec works again after configure()', async () => {
  const d = await demuxAudio(await source('flac.mkv'));
  let outputs = 0;
  const dec = new AudioDecoder({ output: (a) => { outputs++; a.close(); }, error: (e) => { throw e; } });
  dec.configure(d.config);
  for (const c of d.chunks) dec.decode(c);
  const pending = dec.flush();
  dec.reset();
  await pending.then(() => { throw new Error('flush resolved after reset'); }, (e: Error) => assert(e.name === 'AbortError', `flush after reset: ${e.name}`));
  assert(dec.state === 'unconfigured' && dec.decodeQueueSize === 0, `after reset: ${dec.state}, queue ${dec.decodeQueueSize}`);
  const before = outputs;
  dec.configure(d.config);
  for (const c of d.chunks) dec.decode(c);
  await dec.flush();
  dec.close();
  assert(outputs - before === d.chunks.length, `decoded every chunk after reset (${outputs - before} of ${d.chunks.length})`);

  const chunks: EncodedAudioChunk[] = [];
  const enc = new AudioEncoder({ output: (c) => chunks.push(c), error: (e) => { throw e; } });
  const config = { codec: 'opus', sampleRate: 48000, numberOfChannels: 1 };
  const tone = (t: number) => new AudioData({ format: 'f32', sampleRate: 48000, numberOfFrames: 4800, numberOfChannels: 1, timestamp: t, data: new Float32Array(4800).map((_, i) => 0.3 * Math.sin(i / 10)) });
  enc.configure(config);
  for (let i = 0; i < 10; i++) { const a = tone(i * 100_000); enc.encode(a); a.close(); }
  enc.reset();
  enc.configure(config);
  for (let i = 0; i < 10; i++) { const a = tone(5_000_000 + i * 100_000); enc.encode(a); a.close(); }
  await enc.flush();
  enc.close();
  const after = chunks.filter((c) => c.timestamp >= 5_000_000);
  assert(after.length >= 50 && after[0]!.timestamp === 5_000_000, `1 s encoded after reset: ${after.length} chunks from ${after[0]?.timestamp}`);
});

Deno.test('audio codec errors are typed and name the problem', async () => {
  const rejects = async (p: Promise<unknown>, name: string, what: string) => {
    try { await p; } catch (e) { assert((e as Error).name === name, `${what}: ${(e as Error).name} ${(e as Error).message}`); return; }
    throw new Error(`${what}: no ${name}`);
  };
  assert((await AudioDecoder.isConfigSupported({ codec: 'mp4a.40.2', sampleRate: 48000, numberOfChannels: 2 })).supported, 'AAC decodes');
  assert(!(await AudioDecoder.isConfigSupported({ codec: 'nonsense', sampleRate: 48000, numberOfChannels: 2 })).supported, 'an unknown codec is unsupported');
  await rejects(AudioDecoder.isConfigSupported({ codec: 'opus', sampleRate: 0, numberOfChannels: 2 }), 'TypeError', 'sampleRate 0');
  await rejects(AudioEncoder.isConfigSupported({ codec: 'opus', sampleRate: 48000, numberOfChannels: 0 }), 'TypeError', 'no channels');
  assert(!(await AudioEncoder.isConfigSupported({ codec: 'vorbis', sampleRate: 48000, numberOfChannels: 2 })).supported, 'no Vorbis encoder');
  assert(!(await AudioEncoder.isConfigSupported({ codec: 'opus', sampleRate: 48000, numberOfChannels: 2, opus: { format: 'ogg' } })).supported, 'no Ogg framing');

  let error: DOMException | null = null;
  const dec = new AudioDecoder({ output: (a) => a.close(), error: (e) => { error = e; } });
  try { dec.decode(new EncodedAudioChunk({ type: 'key', timestamp: 0, data: new Uint8Array(4) })); throw new Error('decode before configure'); } catch (e) { assert((e as Error).name === 'InvalidStateError', (e as Error).message); }
  dec.configure({ codec: 'nonsense', sampleRate: 48000, numberOfChannels: 2 });
  await new Promise((r) => setTimeout(r, 0));
  assert(dec.state === 'closed' && (error as DOMException | null)?.name === 'NotSupportedError' && /nonsense/.test(error!.message), `unsupported decoder config: ${dec.state} ${error}`);

  error = null;
  const enc = new AudioEncoder({ output: () => {}, error: (e) => { error = e; } });
  enc.configure({ codec: 'opus', sampleRate: 48000, numberOfChannels: 2 });
  const mono = new AudioData({ format: 'f32', sampleRate: 48000, numberOfFrames: 480, numberOfChannels: 1, timestamp: 0, data: new Float32Array(480) });
  enc.encode(mono);
  mono.close();
  await new Promise((r) => setTimeout(r, 0));
  assert(enc.state === 'closed' && (error as DOMException | null)?.name === 'EncodingError' && /1-channel/.test(error!.message), `mismatched AudioData: ${enc.state} ${error}`);
  try { enc.encode(mono); throw new Error('encode when closed'); } catch (e) { assert((e as Error).name === 'InvalidStateError', (e as Error).message); }

  const enc2 = new AudioEncoder({ output: () => {}, error: () => {} });
  enc2.configure({ codec: 'opus', sampleRate: 48000, numberOfChannels: 1 });
  try { enc2.encode(mono); throw new Error('encode of a closed AudioData'); } catch (e) { assert((e as Error).name === 'TypeError', (e as Error).message); }
  enc2.close();
});

Deno.test('Deno CLI: an MKV with FLAC audio becomes an MP4 with Opus audio decoding to the source duration within 50 ms', async () => {
  const file = await makeSource('flac-video.mkv', ['-c:a', 'flac'], ['-c:v', 'copy']);
  const out = `${dir}/cli-out`;
  const r = await new Deno.Command(`${ROOT}node_modules/.bin/deno`, { args: ['task', 'transcode', file, '--out', out, '--ladder', '360'], cwd: ROOT, stdout: 'piped', stderr: 'piped', env: { NO_COLOR: '1' } }).output();
  const stderr = new TextDecoder().decode(r.stderr);
  assert(r.success, `transcode failed: ${stderr.slice(-3000)}`);
  const mp4 = `${out}/360p.mp4`;
  const a = ffprobe(mp4).streams.find((s) => s.codec_type === 'audio');
  assert(a?.codec_name === 'opus', `the MP4's audio is Opus (${a?.codec_name})`);
  const seconds = decodedAudioSeconds(mp4);
  const expected = decodedAudioSeconds(file);
  const volume = audioMeanVolumeDb(mp4);
  console.log(`CLI: flac-video.mkv → 360p.mp4 audio ${seconds.toFixed(3)} s (source ${expected.toFixed(3)} s), mean ${volume} dB`);
  assert(Math.abs(seconds - expected) <= 0.05, `audio ${seconds} s vs source ${expected} s`);
  assert(volume > -30, `the tone survived (${volume} dB)`);
});
