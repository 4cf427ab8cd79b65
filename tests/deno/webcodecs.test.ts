// The Deno WebCodecs layer over node-av (src/platform/deno): encoder key frames, flush, timestamps
// and first-output decoderConfig checked with ffmpeg/libdav1d; decoders (libdav1d, h264, hevc,
// vp9) checked byte for byte against ffmpeg's own decode of the same file; prefer-hardware
// falling back to software; and two inline leases encoding at once.
import { ChunkEncoderCore } from '../../src/encode/chunk-encoder.ts';
import { decodeFrames } from '../../src/decode/decoder.ts';
import { release } from '../../src/decode/frames.ts';
import { openInput } from '../../src/demux/demux.ts';
import { findSequenceHeader, parseAv1C, sequenceHeaderFromAv1C } from '../../src/av1/mod.ts';
import { pickEncoder } from '../../src/platform/deno/encoder.ts';
import { denoRuntime } from '../../src/platform/deno/runtime.ts';

// The engine takes these classes from the runtime; nothing is installed on globalThis.
const runtime = denoRuntime();
const codecs = runtime.codecs!;
const { VideoDecoder, VideoEncoder, VideoFrame, EncodedVideoChunk } = codecs;

const MEDIA = new URL('../../../shared/media/', import.meta.url);
const VIDEO = new URL('video.mp4', MEDIA).pathname;

function assert(cond: unknown, msg: string): asserts cond {
  if (!cond) throw new Error(msg);
}

async function ffmpeg(args: string[]): Promise<{ stdout: Uint8Array; stderr: string }> {
  const out = await new Deno.Command('ffmpeg', { args: ['-v', 'error', '-nostdin', ...args], stdout: 'piped', stderr: 'piped' }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  if (!out.success) throw new Error(`ffmpeg ${args.join(' ')} failed: ${stderr.slice(-1500)}`);
  return { stdout: out.stdout, stderr };
}

const dir = await Deno.makeTempDir({ prefix: 'deno-webcodecs-' });
globalThis.addEventListener('unload', () => Deno.removeSync(dir, { recursive: true }));

/** A moving gradient, tightly packed I420. */
function picture(w: number, h: number, n: number): Uint8Array {
  const out = new Uint8Array(w * h * 3 / 2);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out[y * w + x] = 16 + ((x + y + 4 * n) % 200);
  out.fill(100 + n, w * h, w * h * 5 / 4).fill(150 - n, w * h * 5 / 4);
  return out;
}

function psnr(a: Uint8Array, b: Uint8Array): number {
  assert(a.length === b.length, `length ${a.length} vs ${b.length}`);
  let se = 0;
  for (let i = 0; i < a.length; i++) { const d = a[i]! - b[i]!; se += d * d; }
  return se === 0 ? Infinity : 10 * Math.log10(255 * 255 * a.length / se);
}

interface Out { chunk: EncodedVideoChunk; bytes: Uint8Array; meta: EncodedVideoChunkMetadata | undefined }

async function encode(frames: number, keyAt: number[], w = 320, h = 240, flushAfter: number | null = null): Promise<Out[]> {
  const outs: Out[] = [];
  let error: Error | null = null;
  const enc = new VideoEncoder({
    output: (chunk, meta) => { const bytes = new Uint8Array(chunk.byteLength); chunk.copyTo(bytes); outs.push({ chunk, bytes, meta }); },
    error: (e) => { error = e; },
  });
  enc.configure({ codec: 'av01.0.04M.08', width: w, height: h, bitrate: 400_000, framerate: 25, hardwareAcceleration: 'prefer-software' });
  for (let i = 0; i < frames; i++) {
    const f = new VideoFrame(picture(w, h, i), { format: 'I420', codedWidth: w, codedHeight: h, timestamp: i * 40_000, duration: 40_000 });
    enc.encode(f, { keyFrame: keyAt.includes(i) });
    f.close(); // encode() must not need the frame after it returns
    if (flushAfter === i) await enc.flush();
  }
  await enc.flush();
  enc.close();
  if (error) throw error;
  return outs;
}

Deno.test('VideoEncoder (SVT-AV1): per-frame keyFrame, timestamps, first-output decoderConfig; libdav1d decodes it', async () => {
  const outs = await encode(12, [0, 7]);
  assert(outs.length === 12, `${outs.length} chunks for 12 frames`);
  const keys = outs.map((o, i) => (o.chunk.type === 'key' ? i : -1)).filter((i) => i >= 0);
  assert(JSON.stringify(keys) === '[0,7]', `key chunks at ${keys}`);
  outs.forEach((o, i) => {
    assert(o.chunk.timestamp === i * 40_000, `chunk ${i} timestamp ${o.chunk.timestamp}`);
    assert(o.chunk.duration === 40_000, `chunk ${i} duration ${o.chunk.duration}`);
  });
  assert(outs.slice(1).every((o) => !o.meta?.decoderConfig), 'only the first output carries a decoderConfig');
  const cfg = outs[0]!.meta?.decoderConfig;
  assert(cfg && cfg.codec === 'av01.0.04M.08' && cfg.codedWidth === 320 && cfg.codedHeight === 240, `decoderConfig ${JSON.stringify(cfg)}`);
  const inBand = findSequenceHeader(outs[0]!.bytes);
  assert(inBand, 'the key chunk carries a sequence header');
  const fromBox = sequenceHeaderFromAv1C(parseAv1C(new Uint8Array(cfg.description as ArrayBuffer)));
  assert(JSON.stringify(fromBox) === JSON.stringify(inBand.header), 'description (av1C) holds the in-band sequence header');
  // The key chunk at 7 restarts the sequence: a decoder can start there.
  assert(findSequenceHeader(outs[7]!.bytes), 'the forced key chunk repeats the sequence header');

  const file = `${dir}/enc.obu`;
  await Deno.writeFile(file, concat(outs.map((o) => o.bytes)));
  const { stdout } = await ffmpeg(['-f', 'obu', '-c:v', 'libdav1d', '-i', file, '-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-']);
  const size = 320 * 240 * 3 / 2;
  assert(stdout.length === 12 * size, `libdav1d decoded ${stdout.length / size} frames`);
  for (let i = 0; i < 12; i++) {
    const db = psnr(stdout.subarray(i * size, (i + 1) * size), picture(320, 240, i));
    assert(db > 30, `frame ${i}: PSNR ${db.toFixed(1)} dB`);
  }
});

Deno.test('VideoEncoder: encoding after flush() starts again with a key frame', async () => {
  const outs = await encode(8, [0], 160, 96, 3);
  assert(outs.length === 8, `${outs.length} chunks`);
  assert(outs[0]!.chunk.type === 'key' && outs[4]!.chunk.type === 'key', `types ${outs.map((o) => o.chunk.type).join(',')}`);
  assert(outs.filter((o) => o.chunk.type === 'key').length === 2, 'no other key frames');
});

Deno.test('VideoEncoder.isConfigSupported: 8-bit AV1 in software; 10-bit and unknown codecs refused', async () => {
  const base = { width: 640, height: 360, bitrate: 500_000, framerate: 25 };
  const sw = await VideoEncoder.isConfigSupported({ ...base, codec: 'av01.0.04M.08', hardwareAcceleration: 'prefer-software' });
  assert(sw.supported === true, 'SVT-AV1 8-bit');
  assert((await VideoEncoder.isConfigSupported({ ...base, codec: 'av01.0.04M.10' })).supported === false, '10-bit is refused (frames are 8-bit)');
  assert((await VideoEncoder.isConfigSupported({ ...base, codec: 'xyz1' })).supported === false, 'unknown codec');
  assert((await VideoEncoder.isConfigSupported({ ...base, width: 0, codec: 'av01.0.04M.08' })).supported === false, 'zero width');
  // Hardware support is whatever actually opened; the pick must agree with isConfigSupported.
  const hwConfig: VideoEncoderConfig = { ...base, codec: 'av01.0.04M.08', hardwareAcceleration: 'prefer-hardware' };
  const hw = await VideoEncoder.isConfigSupported(hwConfig);
  const picked = await pickEncoder(hwConfig);
  assert(hw.supported === (picked !== null), 'isConfigSupported agrees with the encoder pick');
  if (picked) assert(['av1_nvenc', 'av1_qsv', 'av1_vaapi'].includes(picked.name), `hardware pick ${picked.name}`);
  console.log(`  prefer-hardware AV1 here: ${picked ? picked.name : 'none opens'}`);
});

Deno.test('ChunkEncoderCore: preferHardware falls back to software when no hardware encoder opens', async () => {
  const core = new ChunkEncoderCore(codecs);
  const job = { codec: 'av01.0.04M.08', width: 192, height: 108, bitrate: 300_000, frameRate: 25, colorSpace: { primaries: 'bt709', transfer: 'bt709', matrix: 'bt709', fullRange: false } as VideoColorSpaceInit, preferHardware: true, quantizer: null };
  const hwOpens = (await pickEncoder({ codec: job.codec, width: job.width, height: job.height, hardwareAcceleration: 'prefer-hardware' })) !== null;
  const begun = await core.begin(job);
  assert(begun.hardware === hwOpens, `hardware ${begun.hardware}, a hardware encoder opens: ${hwOpens}`);
  for (let i = 0; i < 5; i++) await core.add({ data: picture(192, 108, i).slice().buffer, timestamp: i * 40_000, duration: 40_000 });
  const out = await core.end();
  assert(out.packets.length === 5 && out.packets[0]!.key && out.packets.slice(1).every((p) => !p.key), `packets ${out.packets.map((p) => p.key)}`);
  const sh = findSequenceHeader(out.packets[0]!.data)!.header;
  assert(sh.colorConfig.colorPrimaries === 1 && sh.colorConfig.matrixCoefficients === 1 && sh.colorConfig.colorRange === 0, 'BT.709 limited range in the sequence header');
});

Deno.test('leases run inline (node-av stays in one isolate) and two encode at once, each chunk intact', async () => {
  assert(runtime.leaseMode === 'inline', "the Deno runtime's leases run inline, so they never load node-av in a second isolate");
  assert(typeof (globalThis as { Worker?: unknown }).Worker === 'function', "and Deno's own Worker is left as it is (nothing is hidden or patched)");
  assert(typeof (globalThis as { VideoEncoder?: unknown }).VideoEncoder === 'undefined', 'no WebCodecs class is put on globalThis');
  const leases = [runtime.createLease(1, false), runtime.createLease(2, false)];
  try {
    const outs = await Promise.all(leases.map(async (lease, k) => {
      const w = 160 + 32 * k;
      await lease.begin({ codec: 'av01.0.04M.08', width: w, height: 96, bitrate: 200_000, frameRate: 25, colorSpace: {}, preferHardware: false, quantizer: null });
      for (let i = 0; i < 6; i++) await lease.add({ data: picture(w, 96, i + k).slice().buffer, timestamp: i * 40_000, duration: 40_000 });
      return { w, out: await lease.end() };
    }));
    for (const { w, out } of outs) {
      assert(out.packets.length === 6 && out.packets[0]!.key, `${w}x96: ${out.packets.length} packets`);
      const file = `${dir}/lease-${w}.obu`;
      await Deno.writeFile(file, concat(out.packets.map((p) => p.data)));
      const { stdout } = await ffmpeg(['-f', 'obu', '-c:v', 'libdav1d', '-i', file, '-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-']);
      const size = w * 96 * 3 / 2;
      assert(stdout.length === 6 * size, `${w}x96: libdav1d decoded ${stdout.length / size} frames`);
      const k = (w - 160) / 32;
      for (let i = 0; i < 6; i++) {
        const db = psnr(stdout.subarray(i * size, (i + 1) * size), picture(w, 96, i + k));
        assert(db > 30, `${w}x96 frame ${i}: PSNR ${db.toFixed(1)} dB (chunks mixed up?)`);
      }
    }
  } finally {
    for (const l of leases) l.dispose();
  }
});

async function decodeWithEngine(file: string, max: number): Promise<{ frames: Uint8Array[]; timestamps: number[]; fullRange: boolean[] }> {
  const demux = await openInput(await Deno.readFile(file));
  const frames: Uint8Array[] = [];
  const timestamps: number[] = [];
  const fullRange: boolean[] = [];
  try {
    const gen = decodeFrames(demux.decoderConfig, demux.packets(), { codecs, maxInFlight: 4, stats: { skippedBeforeKey: 0 } });
    for await (const f of gen) {
      try {
        assert(f.format === 'I420', `format ${f.format}`);
        const data = new Uint8Array(f.allocationSize());
        await f.copyTo(data);
        frames.push(data);
        timestamps.push(f.timestamp);
        fullRange.push(f.colorSpace.fullRange === true);
      } finally {
        release(f);
      }
      if (frames.length === max) break;
    }
  } finally {
    demux.close();
  }
  return { frames, timestamps, fullRange };
}

async function checkAgainstFfmpeg(file: string, w: number, h: number, n: number, decoder: string[] = []): Promise<void> {
  const mine = await decodeWithEngine(file, n);
  assert(mine.frames.length === n, `${file}: ${mine.frames.length} frames decoded`);
  const { stdout } = await ffmpeg([...decoder, '-i', file, '-frames:v', String(n), '-f', 'rawvideo', '-'] );
  const size = w * h * 3 / 2;
  assert(stdout.length === n * size, `ffmpeg gave ${stdout.length / size} frames`);
  for (let i = 0; i < n; i++) {
    const db = psnr(mine.frames[i]!, stdout.subarray(i * size, (i + 1) * size));
    assert(db === Infinity, `${file} frame ${i}: differs from ffmpeg's decode (PSNR ${db.toFixed(2)} dB)`);
  }
  for (let i = 1; i < n; i++) assert(mine.timestamps[i]! > mine.timestamps[i - 1]!, `timestamps in order: ${mine.timestamps}`);
}

Deno.test('VideoDecoder (h264): video.mp4 frames equal ffmpeg\'s decode; yuvj420p reports full range', async () => {
  await checkAgainstFfmpeg(VIDEO, 1920, 1080, 6);
  const { fullRange } = await decodeWithEngine(VIDEO, 1);
  assert(fullRange[0] === true, 'full range');
});

Deno.test('VideoDecoder (hevc, vp9, av1/libdav1d): ffmpeg-made sources decode to ffmpeg\'s own frames', async () => {
  const sources = [
    { name: 'hevc.mp4', enc: ['-c:v', 'libx265', '-x265-params', 'log-level=error:bframes=3', '-tag:v', 'hvc1'], dec: [] as string[] },
    { name: 'vp9.webm', enc: ['-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '300k'], dec: [] as string[] },
    { name: 'av1.mp4', enc: ['-c:v', 'libsvtav1', '-preset', '12', '-b:v', '300k'], dec: ['-c:v', 'libdav1d'] },
  ];
  for (const s of sources) {
    const file = `${dir}/${s.name}`;
    await ffmpeg(['-y', '-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=25:duration=1', '-pix_fmt', 'yuv420p', ...s.enc, file]);
    await checkAgainstFfmpeg(file, 320, 180, 25, s.dec);
  }
});

Deno.test('VideoDecoder: a corrupt chunk reports an error through the error callback', async () => {
  const errors: DOMException[] = [];
  const dec = new VideoDecoder({ output: (f) => f.close(), error: (e) => { errors.push(e); } });
  dec.configure({ codec: 'av01.0.04M.08' });
  dec.decode(new EncodedVideoChunk({ type: 'key', timestamp: 0, data: new Uint8Array([0x12, 0x00, 0x0a, 0x05, 0xff, 0xff, 0xff, 0xff, 0xff]) }));
  const flushed = await dec.flush().then(() => 'ok', (e: unknown) => String(e));
  assert(errors.length === 1 || flushed !== 'ok', `corrupt data went unnoticed (errors ${errors.length}, flush ${flushed})`);
  assert(dec.state === 'closed', `state ${dec.state}`);
});

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

Deno.test('ChunkEncoderCore: reset() while add() waits for room in the queue ends the wait (an abort never hangs)', async () => {
  const core = new ChunkEncoderCore(codecs);
  const width = 1920;
  const height = 1080;
  await core.begin({ codec: 'av01.0.08M.08', width, height, bitrate: 4e6, frameRate: 25, colorSpace: {}, preferHardware: false, quantizer: null });
  const size = (width * height * 3) / 2;
  const adding = (async () => {
    for (let i = 0; i < 40; i++) {
      const data = new Uint8Array(size);
      data.fill((i * 7) & 0xff);
      await core.add({ data: data.buffer, timestamp: i * 40_000, duration: 40_000 });
    }
  })();
  adding.catch(() => {});
  // Let the queue fill (add() then waits for a 'dequeue'), then dispose as an abort does.
  await new Promise((r) => setTimeout(r, 300));
  core.reset();
  const settled = await Promise.race([
    adding.then(() => 'resolved', (e: unknown) => `rejected: ${e instanceof Error ? e.message : String(e)}`),
    new Promise<string>((r) => setTimeout(() => r('hung'), 10_000)),
  ]);
  assert(settled !== 'hung', 'add() still waiting 10 s after reset()');
});

Deno.test('transcode() under Deno without a runtime: an UnsupportedCodecError that says to pass denoRuntime(), before any decoding', async () => {
  const { transcode } = await import('../../src/mod.ts');
  const { openFileReader } = await import('../../src/platform/deno/mod.ts');
  let caught: unknown = null;
  try {
    await transcode({ input: await openFileReader(VIDEO), ladder: [90] });
  } catch (err) {
    caught = err;
  }
  assert(caught instanceof Error && caught.name === 'UnsupportedCodecError', `got ${String(caught)}`);
  assert(/the browser runtime has no WebCodecs VideoDecoder\/VideoEncoder \(under Deno, pass runtime: denoRuntime\(\)/.test(caught.message), caught.message);
});
