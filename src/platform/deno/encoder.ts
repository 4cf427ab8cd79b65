// WebCodecs' VideoEncoder for Deno over node-av: SVT-AV1 as the software AV1 encoder,
// av1_nvenc / av1_qsv / av1_vaapi for 'prefer-hardware' (supported only where one actually opens),
// libvpx-vp9 and libx264 for the inspection matrix. Work runs in order on FFmpeg's threads.
import { CodecContext, Dictionary, Frame, HardwareDeviceContext, HardwareFramesContext, Packet } from 'node-av/lib';
import {
  AVERROR_EAGAIN, AVERROR_EOF, AV_HWDEVICE_TYPE_VAAPI, AV_PICTURE_TYPE_I, AV_PICTURE_TYPE_NONE, AV_PIX_FMT_NV12, AV_PIX_FMT_VAAPI,
} from 'node-av/constants';
import { Buffer } from 'node:buffer';
import { buildAv1C } from '../../av1/av1c.ts';
import { findSequenceHeader } from '../../av1/sequence-header.ts';
import { DenoCodec } from './codec-state.ts';
import { cicpFromColorSpace, encoderCandidates, familyOf, findEncoder, rationalRate } from './codecs.ts';
import type { EncoderSpec } from './codecs.ts';
import { DenoEncodedVideoChunk, DenoVideoFrame, packedLayout } from './frame.ts';
import { DEFAULT_SVT_PRESET } from '../../encode/svt-preset.ts';

const MICROSECONDS = { num: 1, den: 1_000_000 };

/** SVT-AV1 preset for latencyMode 'quality' (see src/encode/svt-preset.ts for the default); LADDER_SVT_PRESET overrides. */
export function svtPreset(): number {
  const raw = Deno.env.get('LADDER_SVT_PRESET');
  const env = raw === undefined || raw === '' ? NaN : Number(raw);
  return Number.isInteger(env) && env >= 0 && env <= 13 ? env : DEFAULT_SVT_PRESET;
}

interface Opened { ctx: CodecContext; spec: EncoderSpec; frames: HardwareFramesContext | null; device: HardwareDeviceContext | null }

interface OpenRequest {
  config: VideoEncoderConfig;
  colorSpace: VideoColorSpaceInit | undefined;
  /** bitrateMode 'quantizer': the first frame's AV1 quantizer, opened as SVT-AV1's CRF. */
  quantizer?: number | null;
}

/** The quantizer an encoder is probed with when no frame has given one yet. */
const PROBE_QUANTIZER = 32;

function parseAv1(codec: string): { profile: number; bitDepth: number } | null {
  const m = /^av01\.(\d)\.(\d\d)([MH])\.(\d\d)/.exec(codec);
  return m ? { profile: Number(m[1]), bitDepth: Number(m[4]) } : null;
}

/** Opens `spec` for a config; throws with FFmpeg's error code when it will not open. */
async function open(spec: EncoderSpec, req: OpenRequest): Promise<Opened> {
  const p = prepare(spec, req);
  try {
    const ret = await p.ctx.open2(p.codec, Dictionary.fromObject(p.options));
    if (ret < 0) throw new Error(`${spec.name} did not open for ${req.config.width}x${req.config.height} (error ${ret})`);
    return p;
  } catch (err) {
    closeOpened(p);
    throw err;
  }
}

/** The same, on the calling thread (start-up hardware detection). */
function openSync(spec: EncoderSpec, req: OpenRequest): Opened {
  const p = prepare(spec, req);
  try {
    const ret = p.ctx.open2Sync(p.codec, Dictionary.fromObject(p.options));
    if (ret < 0) throw new Error(`${spec.name} did not open for ${req.config.width}x${req.config.height} (error ${ret})`);
    return p;
  } catch (err) {
    closeOpened(p);
    throw err;
  }
}

function prepare(spec: EncoderSpec, req: OpenRequest): Opened & { codec: NonNullable<ReturnType<typeof findEncoder>>; options: Record<string, string> } {
  const codec = findEncoder(spec.name);
  if (!codec) throw new Error(`${spec.name} is not in this FFmpeg`);
  const { config } = req;
  const ctx = new CodecContext();
  ctx.allocContext3(codec);
  ctx.width = config.width;
  ctx.height = config.height;
  ctx.timeBase = MICROSECONDS as never;
  const fps = config.framerate && config.framerate > 0 ? config.framerate : 30;
  ctx.framerate = rationalRate(fps) as never;
  const constantQuality = config.bitrateMode === 'quantizer';
  // FFmpeg's default bit_rate (200 kbit/s) would put SVT-AV1 in VBR, which refuses a CRF.
  ctx.bitRate = constantQuality ? 0n : BigInt(Math.round(config.bitrate ?? 0));
  // Chunks start with a key frame (the first frame, or keyFrame: true). SVT-AV1's VBR spreads the
  // key frame's bits over the intra period: a period far longer than the engine's chunks (2 s by
  // default) doubled the bitrate of fresh per-chunk encoders (12.4 vs 6.9 Mbit/s at 1080p, 4.1 asked).
  ctx.gopSize = Math.max(1, Math.round(fps * 2));
  const cicp = cicpFromColorSpace(req.colorSpace);
  ctx.colorPrimaries = cicp.primaries as never;
  ctx.colorTrc = cicp.transfer as never;
  ctx.colorSpace = cicp.matrix as never;
  ctx.colorRange = cicp.range as never;
  ctx.pixelFormat = spec.pixelFormat as never;
  let device: HardwareDeviceContext | null = null;
  let frames: HardwareFramesContext | null = null;
  try {
    if (spec.vaapi) {
      device = new HardwareDeviceContext();
      const r = device.create(AV_HWDEVICE_TYPE_VAAPI, null, null);
      if (r < 0) throw new Error(`no VAAPI device (error ${r})`);
      frames = new HardwareFramesContext();
      frames.alloc(device);
      frames.format = AV_PIX_FMT_VAAPI;
      frames.swFormat = AV_PIX_FMT_NV12;
      frames.width = config.width;
      frames.height = config.height;
      frames.initialPoolSize = 8;
      const fr = frames.init();
      if (fr < 0) throw new Error(`no VAAPI surfaces (error ${fr})`);
      ctx.hwFramesCtx = frames;
    }
  } catch (err) {
    closeOpened({ ctx, spec, frames, device });
    throw err;
  }
  const preset = config.latencyMode === 'realtime' ? Math.min(13, svtPreset() + 2) : svtPreset();
  const options = spec.options(preset);
  // WebCodecs' AV1 quantizer and SVT-AV1's CRF share the 0–63 scale; SVT's CRF starts at 1.
  if (constantQuality) options.crf = String(Math.max(1, Math.min(63, Math.round(req.quantizer ?? PROBE_QUANTIZER))));
  return { ctx, spec, frames, device, codec, options };
}

const HW_ENV = 'LADDER_DENO_HW_ENCODERS';

/** Whether `spec` opens at 720p, on the calling thread (used by the detection child process). */
export function opensSync(spec: EncoderSpec): boolean {
  try {
    closeOpened(openSync(spec, { config: { codec: 'av01.0.05M.08', width: 1280, height: 720, bitrate: 2e6, framerate: 30 }, colorSpace: undefined }));
    return true;
  } catch {
    return false;
  }
}

/**
 * The AV1 hardware encoders that open on this machine, detected once per process by actually
 * opening each one, in a child process: with no CUDA driver, a failed av1_nvenc open corrupts
 * this FFmpeg build's heap (free(): invalid pointer / SIGSEGV a few calls later), so no failing
 * hardware open may happen in the process that encodes. The answer is kept in the environment.
 */
export function hardwareEncoders(): string[] {
  let found = Deno.env.get(HW_ENV);
  if (found === undefined) {
    found = '';
    const here = new URL(import.meta.url);
    if (here.protocol === 'file:') {
      const child = new URL(here.pathname.endsWith('.js') ? './_hw-detect.js' : './_hw-detect.ts', here).pathname;
      // The repository's deno.json maps node-av; an installed package has none there and its
      // bare imports resolve through its package.json instead.
      const config = new URL('../../../deno.json', here).pathname;
      let hasConfig = false;
      try { hasConfig = Deno.statSync(config).isFile; } catch { /* installed package */ }
      try {
        const args = hasConfig ? ['run', '-A', '--config', config, child] : ['run', '-A', child];
        const out = new Deno.Command(Deno.execPath(), { args, stdout: 'piped', stderr: 'null' }).outputSync();
        // The answer is the printed line; the child may still crash on its way out.
        const names = JSON.parse(new TextDecoder().decode(out.stdout).trim().split('\n').pop() || '[]') as unknown;
        if (Array.isArray(names)) found = names.filter((n): n is string => typeof n === 'string').join(',');
      } catch { /* no detection: software only */ }
    }
    Deno.env.set(HW_ENV, found);
  }
  return found ? found.split(',') : [];
}

function closeOpened(o: Opened): void {
  o.ctx.freeContext();
  o.frames?.free();
  o.device?.free();
}

// Whether an encoder opened for a codec and size, per process: opening is what detects hardware.
const opens = new Map<string, Promise<boolean>>();

function probeKey(spec: EncoderSpec, c: VideoEncoderConfig): string {
  return `${spec.name}|${c.codec}|${c.width}x${c.height}`;
}

/** Whether `spec` opens for this config (cached per process). */
export async function opensFor(spec: EncoderSpec, config: VideoEncoderConfig): Promise<boolean> {
  const key = probeKey(spec, config);
  let p = opens.get(key);
  if (!p) {
    p = spec.hardware && !hardwareEncoders().includes(spec.name)
      ? Promise.resolve(false)
      : open(spec, { config, colorSpace: undefined }).then((o) => { closeOpened(o); return true; }, () => false);
    opens.set(key, p);
  }
  return p;
}

function wantsHardware(a: HardwareAcceleration | undefined): boolean[] {
  return a === 'prefer-hardware' ? [true] : a === 'prefer-software' ? [false] : [true, false];
}

/** The first encoder that opens for this config and acceleration, or null. */
export async function pickEncoder(config: VideoEncoderConfig): Promise<EncoderSpec | null> {
  if (!config || typeof config.codec !== 'string' || !(config.width > 0) || !(config.height > 0)) return null;
  const family = familyOf(config.codec);
  if (!family) return null;
  if (family === 'av1') {
    const av1 = parseAv1(config.codec);
    if (!av1 || av1.profile !== 0 || av1.bitDepth !== 8) return null;
  }
  if (config.alpha === 'keep' || (config.scalabilityMode && config.scalabilityMode !== 'L1T1')) return null;
  // Constant quality (a per-frame quantizer) is SVT-AV1's CRF: software AV1 only.
  if (config.bitrateMode === 'quantizer' && family !== 'av1') return null;
  for (const hardware of wantsHardware(config.hardwareAcceleration)) {
    for (const spec of encoderCandidates(config.codec, hardware)) {
      if (config.bitrateMode === 'quantizer' && spec.hardware) continue;
      if (await opensFor(spec, config)) return spec;
    }
  }
  return null;
}

interface FrameOp { kind: 'frame'; data: Uint8Array; format: VideoPixelFormat; timestamp: number; duration: number | null; key: boolean; colorSpace: VideoColorSpaceInit; quantizer: number | null }

export class DenoVideoEncoder extends DenoCodec<FrameOp, EncodedVideoChunkOutputCallback> {
  static async isConfigSupported(config: VideoEncoderConfig): Promise<VideoEncoderSupport> {
    return { supported: (await pickEncoder(config)) !== null, config };
  }

  #config: VideoEncoderConfig | null = null;
  #opened: Opened | null = null;
  #sentConfig = false;
  #durations = new Map<number, number | null>();
  #generation = 0;

  constructor(init: VideoEncoderInit) {
    super('encoder', init);
  }

  get encodeQueueSize(): number { return this.queued; }

  configure(config: VideoEncoderConfig): void {
    this.requireNotClosed('configure');
    if (!config || typeof config.codec !== 'string' || !(config.width > 0) || !(config.height > 0)) {
      throw new TypeError('VideoEncoder.configure: codec, width and height are required');
    }
    this.release();
    this.#config = { ...config };
    this.setConfigured();
    this.#sentConfig = false;
  }

  encode(frame: VideoFrame, options?: VideoEncoderEncodeOptions): void {
    this.requireConfigured('encode');
    if (!(frame instanceof DenoVideoFrame)) throw new TypeError('VideoEncoder.encode: not a VideoFrame of this runtime');
    const c = this.#config!;
    if (frame.codedWidth !== c.width || frame.codedHeight !== c.height) {
      throw new DOMException(`Cannot encode: frame is ${frame.codedWidth}x${frame.codedHeight}, the encoder is configured for ${c.width}x${c.height}`, 'NotSupportedError');
    }
    // The caller may close the frame as soon as encode() returns; its planes are immutable.
    this.enqueue({
      kind: 'frame', data: frame.planes(), format: frame.format!, timestamp: frame.timestamp, duration: frame.duration,
      key: options?.keyFrame === true, colorSpace: frame.colorSpace,
      quantizer: (options as { av1?: { quantizer?: number } } | undefined)?.av1?.quantizer ?? null,
    });
  }

  /** Drops the open encoder; one in use by a running call is freed when that call returns. */
  protected override release(): void {
    this.#generation++;
    const o = this.#opened;
    this.#opened = null;
    this.#durations.clear();
    if (o && !this.running) closeOpened(o);
    else if (o) this.#orphans.push(o);
  }

  #orphans: Opened[] = [];

  protected override settled(): void {
    for (const o of this.#orphans.splice(0)) closeOpened(o);
  }

  async #ensureOpen(first: FrameOp): Promise<Opened> {
    if (this.#opened) return this.#opened;
    const config = this.#config!;
    const gen = this.#generation;
    let lastError: unknown = null;
    for (const hardware of wantsHardware(config.hardwareAcceleration)) {
      for (const spec of encoderCandidates(config.codec, hardware)) {
        if (spec.hardware && !hardwareEncoders().includes(spec.name)) continue;
        try {
          if (config.bitrateMode === 'quantizer' && spec.hardware) continue;
          const o = await open(spec, { config, colorSpace: first.colorSpace, quantizer: first.quantizer });
          if (gen !== this.#generation) { closeOpened(o); throw new DOMException('The encoder was reset', 'AbortError'); }
          this.#opened = o;
          return o;
        } catch (err) {
          if (err instanceof DOMException) throw err;
          lastError = err;
        }
      }
    }
    throw new DOMException(`Cannot encode ${config.codec} at ${config.width}x${config.height} (${config.hardwareAcceleration ?? 'no-preference'}): ${lastError instanceof Error ? lastError.message : 'no encoder in this FFmpeg'}`, 'NotSupportedError');
  }

  protected override async drain(): Promise<void> {
    const packet = new Packet();
    packet.alloc();
    try {
      for (;;) {
        const op = this.ops[0];
        if (!op || this.state !== 'configured') break;
        const gen = this.#generation;
        if (op.kind === 'frame') {
          const o = await this.#ensureOpen(op);
          if (gen !== this.#generation) continue;
          const frame = await this.#toFrame(o, op);
          try {
            this.#durations.set(op.timestamp, op.duration);
            for (;;) {
              const ret = await o.ctx.sendFrame(frame);
              if (ret === AVERROR_EAGAIN) { await this.#receive(o, packet, gen); continue; }
              if (ret < 0) throw new Error(`${o.spec.name} refused the frame at ${op.timestamp} µs (error ${ret})`);
              break;
            }
          } finally {
            frame.free();
          }
          if (gen !== this.#generation) continue;
          this.ops.shift();
          this.dequeued();
          await this.#receive(o, packet, gen);
        } else {
          const o = this.#opened;
          if (o) {
            const ret = await o.ctx.sendFrame(null);
            if (ret < 0 && ret !== AVERROR_EOF) throw new Error(`${o.spec.name} could not flush (error ${ret})`);
            await this.#receive(o, packet, gen);
            // An FFmpeg encoder stays at end of stream once drained: the next frame opens a fresh one.
            if (gen === this.#generation) this.release();
          }
          if (this.ops[0] === op) this.ops.shift();
          op.done();
        }
      }
    } finally {
      packet.free();
    }
  }

  async #toFrame(o: Opened, op: FrameOp): Promise<Frame> {
    const { width, height } = this.#config!;
    let planes = op.data;
    let format = op.format;
    const wantNv12 = o.spec.pixelFormat === AV_PIX_FMT_NV12 || o.spec.vaapi;
    if (wantNv12 && format === 'I420') { planes = i420ToNv12(planes, width, height); format = 'NV12'; }
    if (!wantNv12 && format !== 'I420') throw new Error(`${o.spec.name} takes I420 frames, got ${format}`);
    const sw = Frame.fromVideoBuffer(Buffer.from(planes.buffer, planes.byteOffset, planes.byteLength), {
      width, height, format: (wantNv12 ? AV_PIX_FMT_NV12 : o.spec.pixelFormat) as never, timeBase: MICROSECONDS as never,
    } as never);
    const cicp = cicpFromColorSpace(op.colorSpace);
    sw.colorPrimaries = cicp.primaries as never;
    sw.colorTrc = cicp.transfer as never;
    sw.colorSpace = cicp.matrix as never;
    sw.colorRange = cicp.range as never;
    sw.pts = BigInt(Math.round(op.timestamp));
    if (op.duration !== null) sw.duration = BigInt(Math.round(op.duration));
    sw.pictType = op.key ? AV_PICTURE_TYPE_I : AV_PICTURE_TYPE_NONE;
    if (!o.frames) return sw;
    const hw = new Frame();
    hw.alloc();
    try {
      const r = o.frames.getBuffer(hw, 0);
      if (r < 0) throw new Error(`no VAAPI surface (error ${r})`);
      const t = await o.frames.transferData(hw, sw, 0);
      if (t < 0) throw new Error(`VAAPI upload failed (error ${t})`);
      hw.copyProps(sw);
      return hw;
    } catch (err) {
      hw.free();
      throw err;
    } finally {
      sw.free();
    }
  }

  async #receive(o: Opened, packet: Packet, gen: number): Promise<void> {
    for (;;) {
      const ret = await o.ctx.receivePacket(packet);
      if (ret === AVERROR_EAGAIN || ret === AVERROR_EOF) return;
      if (ret < 0) throw new Error(`${o.spec.name} failed (error ${ret})`);
      try {
        if (gen !== this.#generation) continue;
        const data = new Uint8Array(packet.data!);
        const timestamp = Number(packet.pts);
        const duration = this.#durations.get(timestamp) ?? (packet.duration > 0n ? Number(packet.duration) : null);
        this.#durations.delete(timestamp);
        const key = packet.isKeyframe;
        const chunk = new DenoEncodedVideoChunk({ type: key ? 'key' : 'delta', timestamp, ...(duration !== null ? { duration } : {}), data });
        let meta: EncodedVideoChunkMetadata | undefined;
        if (!this.#sentConfig) {
          this.#sentConfig = true;
          meta = { decoderConfig: this.#decoderConfig(data) };
        }
        this.output(chunk as unknown as EncodedVideoChunk, meta);
      } finally {
        packet.unref();
      }
    }
  }

  /** The first output's decoderConfig: for AV1 the av1C built from the in-band sequence header. */
  #decoderConfig(first: Uint8Array): VideoDecoderConfig {
    const c = this.#config!;
    const cfg: VideoDecoderConfig = { codec: c.codec, codedWidth: c.width, codedHeight: c.height };
    if (c.displayWidth) cfg.displayAspectWidth = c.displayWidth;
    if (c.displayHeight) cfg.displayAspectHeight = c.displayHeight;
    const extra = this.#opened?.ctx.extraData;
    if (familyOf(c.codec) === 'av1') {
      const sh = findSequenceHeader(first) ?? (extra ? findSequenceHeader(new Uint8Array(extra)) : null);
      if (sh) cfg.description = buildAv1C(sh.header, sh.obu);
    } else if (extra && extra.length > 0) {
      cfg.description = new Uint8Array(extra);
    }
    return cfg;
  }
}

function i420ToNv12(src: Uint8Array, width: number, height: number): Uint8Array {
  const { layout, size } = packedLayout('I420', width, height);
  const out = new Uint8Array(size);
  const y = width * height;
  out.set(src.subarray(0, y));
  const u = layout[1]!.offset;
  const v = layout[2]!.offset;
  const n = (size - y) / 2;
  for (let i = 0; i < n; i++) {
    out[y + 2 * i] = src[u + i]!;
    out[y + 2 * i + 1] = src[v + i]!;
  }
  return out;
}
