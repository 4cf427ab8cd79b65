// The one-job pipeline, composed: demux → decode once → plane readout → WGSL scale to every rung
// (the front, src/pipeline/front.ts: stages joined by bounded queues, running at once) → chunk
// scheduler over encoder leases → AV1 contract check → one MP4, or one set of CMAF segments per rung
// listed by HLS playlists, a DASH MPD, or both.
import { dropAudio, prepareAudio } from './audio/audio.ts';
import { checkDecoderConfig, decodeFrames } from './decode/decoder.ts';
import type { DecodeStats } from './decode/decoder.ts';
import { release } from './decode/frames.ts';
import { readPlanes } from './decode/planes.ts';
import { openInput } from './demux/demux.ts';
import { isFrameSource, openFrameSource } from './input/frame-source.ts';
import { checkEncodable } from './encode/chunk-encoder.ts';
import { NoAudioTrackError, abortError } from './errors.ts';
import { writeDashManifest } from './dash/output.ts';
import { writeCmafAudio, writeCmafRung, writeHlsMaster } from './hls/output.ts';
import type { CmafAudio, CmafRung } from './hls/output.ts';
import { alignAudio, writeMp4Rung } from './mux/rung-output.ts';
import type { AudioTrack, WrittenRung } from './mux/rung-output.ts';
import { MemoryTarget } from './mux/target.ts';
import { DEFAULT_LADDER, planLadder, withQuality } from './plan/ladder.ts';
import { browserRuntime, requireCodecs } from './platform/browser.ts';
import { defaultLeaseCount, listAdapters, requestGpuDevice } from './platform/gpu.ts';
import { allowedAdapters, parsePolicy, planLeases } from './schedule/pool.ts';
import { PipelineFront } from './pipeline/front.ts';
import { picturePool } from './pipeline/pool.ts';
import type { FrontSource } from './pipeline/front.ts';
import { stageProfile } from './pipeline/profile.ts';
import { OutputClock } from './pipeline/readout.ts';
import { emit } from './progress/events.ts';
import { QualityMeter } from './quality/meter.ts';
import { Scaler } from './scale/scaler.ts';
import { Scheduler } from './schedule/scheduler.ts';
import { checkInputSize, checkOptions } from './options.ts';
import type { AudioMode, AudioOutcome, AudioPassthrough, ChunkRecord, EncoderLease, RungResult, TranscodeOptions, TranscodeResult } from './types/mod.ts';

import type { JobHooks } from './balance/balancer.ts';

/** Transcodes one source into an AV1 ladder. See README for the option defaults. `hooks` is internal (an engine's balancer). */
export async function transcode(options: TranscodeOptions, hooks?: JobHooks): Promise<TranscodeResult> {
  const opts = checkOptions(options);
  const started = performance.now();
  const signal = opts.signal;
  const throwIfAborted = () => { if (signal?.aborted) throw abortError(signal.reason); };
  throwIfAborted();
  const runtime = opts.runtime ?? browserRuntime();
  // The policy is checked before the input is even opened: an empty pool never starts decoding.
  const policy = parsePolicy(opts.policy ?? 'all');
  const allowed = allowedAdapters(await listAdapters(runtime.gpu), policy);
  const codecs = requireCodecs(runtime);
  let home = allowed[0]!;

  const demux = isFrameSource(opts.input) ? openFrameSource(opts.input, codecs) : await openInput(opts.input);
  let scaler: Scaler | null = null;
  let meter: QualityMeter | null = null;
  let leases: EncoderLease[] = [];
  const maxScalesInFlight = opts.maxScalesInFlight ?? 3;
  const disposeOnAbort = () => disposeAll(leases);
  try {
    const info = demux.info;
    const audioMode = opts.audio ?? 'auto';
    // A frame source's audio arrives with its frames; a container declares its tracks up front.
    if (audioMode === 'require' && !('frames' in demux) && !info.audio) {
      throw new NoAudioTrackError(`Input has no audio track (container: ${info.container}), and audio: 'require' asks for one`);
    }
    checkInputSize(info, opts.maxInputPixels);
    if (!('frames' in demux)) await checkDecoderConfig(demux.decoderConfig, codecs); // a frame source has no decoder
    throwIfAborted();
    const plans = planLadder(info.displayWidth, info.displayHeight, info.frameRate, withQuality(opts.ladder ?? DEFAULT_LADDER, opts.quality), opts.upscale);
    await checkEncodable(plans.map((p) => ({ ...p, frameRate: info.frameRate })), codecs);
    const placed = await hooks?.place(info, plans, allowed); // an engine's balancer picks the home adapter and leases
    home = placed?.home ?? home;
    const device = await requestGpuDevice(home.adapter);
    scaler = await Scaler.create(device, runtime.loadShader);
    if (opts.qualityReport) {
      // The quality stage decodes with the decode stage, so its frames are counted and closed alike.
      meter = await QualityMeter.create(device, {
        decode: (config, packets) => decodeFrames(config, packets, { codecs, maxInFlight: 4, signal, stats: { skippedBeforeKey: 0 } }),
        release,
      }, runtime.loadShader);
    }
    const top = plans[0]!;
    const hardwareOk = await codecs.VideoEncoder.isConfigSupported({ codec: top.codec, width: top.width, height: top.height, bitrate: top.bitrate, framerate: info.frameRate, hardwareAcceleration: 'prefer-hardware' })
      .then((r) => r.supported === true, () => false);
    // WebCodecs exposes one hardware encoder path, which belongs to the adapter the job is pinned to.
    const leasePlans = planLeases({ policy, allowed, hardwareFor: (a) => a === home && hardwareOk && (placed?.hardware ?? true), softwareLeases: placed?.softwareLeases ?? opts.leases ?? defaultLeaseCount(runtime, plans.length) });
    leases = leasePlans.map((l) => runtime.createLease(l.id, l.hardware));
    // Audio the outputs cannot carry is re-encoded (Opus) before any video is decoded.
    const prepared = 'frames' in demux ? null : audioMode === 'drop' ? dropAudio(info.audio) : await prepareAudio(await demux.readAudio(), codecs.audio, audioMode, signal);
    const audio = prepared?.track ?? null;
    const notices = [...(info.notices ?? []), ...(prepared?.notices ?? [])];
    info.notices = notices;
    throwIfAborted();

    const outColor: VideoColorSpaceInit = { ...info.colorSpace, fullRange: false };
    const results: Array<RungResult | null> = plans.map(() => null);
    let alignedAudio: AudioTrack | null = null;
    const target = opts.target ?? new MemoryTarget();
    const format = opts.format ?? 'mp4';
    const chunkSeconds = opts.chunkSeconds ?? 2;
    const clock = new OutputClock(chunkSeconds, info.frameRate, info.timescale);
    // 'cmaf' writes the segments once and lists them in both manifests.
    const manifests = { hls: format === 'hls' || format === 'cmaf', dash: format === 'dash' || format === 'cmaf' };
    let cmafAudio: CmafAudio | null = null;
    const cmafRungs: Array<CmafRung | null> = plans.map(() => null);
    const maxBufferedBytes = opts.maxBufferedBytes ?? 512 * 1024 * 1024;
    const pictures = picturePool(maxBufferedBytes);
    const scheduler = new Scheduler({
      rungs: plans.map((p) => ({
        job: { codec: p.codec, width: p.width, height: p.height, bitrate: p.bitrate, quantizer: p.quantizer, frameRate: info.frameRate, colorSpace: outColor, preferHardware: true },
        // What the engine always asks for; level and colour come from the first accepted chunk.
        declared: { profile: 0, bitDepth: 8, monochrome: false, subsamplingX: 1, subsamplingY: 1 },
      })),
      leases,
      maxBufferedBytes,
      onFramesFreed: pictures.free,
      sink: opts.onProgress,
      signal,
      expectedFrames: info.frameCount,
      chunkSeconds,
      onChunkAccepted: meter ? async (c) => {
        const plan = plans[c.rung]!;
        const q = await meter!.measure({ ...c, codec: plan.codec, width: plan.width, height: plan.height });
        emit(opts.onProgress, { type: 'chunk-quality', rung: c.rung, chunk: c.index, ...q });
      } : undefined,
      onRungDone: async (accepted) => {
        const plan = plans[accepted.rung]!;
        alignedAudio ??= alignAudio(audio ?? ('frames' in demux && audioMode !== 'drop' ? demux.audio() : null), clock.firstTimestamp ?? 0);
        const ctx = { plan, accepted, colorSpace: outColor, audio: alignedAudio, frameRate: info.frameRate, timescale: info.timescale, chunkSeconds };
        let written: WrittenRung;
        if (format !== 'mp4') {
          if (alignedAudio && !cmafAudio) {
            cmafAudio = writeCmafAudio(alignedAudio, chunkSeconds, manifests);
            for (const f of cmafAudio.files) { throwIfAborted(); await target.write(f.path, f.bytes); }
          }
          const rung = writeCmafRung(ctx, manifests);
          cmafRungs[accepted.rung] = rung;
          written = rung;
        } else {
          written = writeMp4Rung(ctx);
        }
        for (const f of written.files) { throwIfAborted(); await target.write(f.path, f.bytes); } // an abort writes no further file
        const result: RungResult = {
          label: plan.label, width: plan.width, height: plan.height, codec: written.codec, bitrate: plan.bitrate, quantizer: plan.quantizer,
          achievedBitrate: achieved(accepted.chunks.map((c) => c.record)),
          frames: written.frames, bytes: written.bytes, output: written.mp4, files: written.files.map((f) => f.path),
          chunks: accepted.chunks.map((c) => c.record),
        };
        results[accepted.rung] = result;
        emit(opts.onProgress, {
          type: 'rung-completed', rung: accepted.rung, label: result.label, width: result.width, height: result.height,
          codec: result.codec, frames: result.frames, bytes: result.bytes, output: written.mp4, files: result.files,
          packets: accepted.chunks.flatMap((c) => c.output.packets), // in presentation order
        });
      },
    });
    emit(opts.onProgress, {
      type: 'job-start', totalFrames: info.frameCount, notices, audio: prepared?.outcome ?? null, leases: leasePlans.map((l) => ({ id: l.id, hardware: l.hardware })), adapter: home.info,
      rungs: plans.map((p) => ({ label: p.label, width: p.width, height: p.height })),
    });
    const encoding = scheduler.run();
    // Surface scheduler failures (a fatal encoder error) while decoding is still going.
    encoding.catch(() => {});
    // An abort ends in-flight encodes at once (a chunk's flush can take seconds), not when they finish.
    signal?.addEventListener('abort', disposeOnAbort, { once: true });

    const decodeStats: DecodeStats = { skippedBeforeKey: 0 };
    const source: FrontSource = 'frames' in demux
      ? { frames: demux.frames(signal) }
      : { packets: demux.packets(), decode: (packets, maxInFlight) => decodeFrames(demux.decoderConfig, packets, { codecs, maxInFlight, signal, stats: decodeStats }) };
    const fullRange = info.colorSpace.fullRange ?? false;
    const decodeStart = performance.now();
    const front = new PipelineFront({
      source,
      read: (frame, alloc) => readPlanes(frame, fullRange, alloc),
      scaler,
      targets: plans.map((p) => ({ width: p.width, height: p.height })),
      rotation: info.rotation,
      clock,
      sink: scheduler,
      maxFramesInFlight: opts.maxFramesInFlight ?? 8,
      maxScalesInFlight,
      allocPicture: pictures.alloc,
      signal,
      onFrame: (n) => {
        if (n % 10 !== 0 && n !== info.frameCount) return;
        const fps = n / Math.max((performance.now() - decodeStart) / 1000, 1e-3);
        emit(opts.onProgress, { type: 'decode', frames: n, totalFrames: info.frameCount, fps, etaSeconds: fps > 0 ? Math.max(0, info.frameCount - n) / fps : null });
      },
    });
    let decoded = 0;
    try {
      decoded = await front.run();
      scheduler.endInput();
    } catch (err) {
      scheduler.fail(err instanceof Error ? err : new Error(String(err)));
      disposeAll(leases); // ends in-flight encodes now, instead of waiting for their flush
      await encoding.catch(() => {});
      throw err;
    }
    await encoding.catch((err: unknown) => {
      disposeAll(leases);
      throw err;
    });
    throwIfAborted();

    const rungs = results.map((r, i) => {
      if (!r) throw new Error(`Rung ${plans[i]!.label}p did not complete`);
      if (!meter) return r;
      const quality = meter.rung(i);
      const chunks = r.chunks.map((c) => {
        const q = meter!.chunk(i, c.index);
        return q ? { ...c, quality: q } : c;
      });
      return quality ? { ...r, chunks, quality } : { ...r, chunks };
    });
    if (manifests.hls) {
      const master = writeHlsMaster(cmafRungs.map((rung, i) => ({ rung: rung!, width: plans[i]!.width, height: plans[i]!.height, frameRate: info.frameRate })), cmafAudio);
      await target.write(master.path, master.bytes);
    }
    if (manifests.dash) {
      const a = cmafAudio as CmafAudio | null; // assigned in onRungDone, which TS cannot see
      const mpd = writeDashManifest(
        cmafRungs.map((rung, i) => ({ track: rung!.track, width: plans[i]!.width, height: plans[i]!.height, frameRate: info.frameRate })),
        a ? { track: a.track, sampleRate: a.sampleRate, channels: a.channels } : null,
      );
      await target.write(mpd.path, mpd.bytes);
    }
    const chunks = rungs.flatMap((r) => r.chunks);
    const wallMs = performance.now() - started;
    emit(opts.onProgress, { type: 'job-done', wallMs, decodedFrames: decoded });
    return {
      source: info,
      audio: prepared?.outcome ?? frameSourceAudio('frames' in demux ? demux.audio() : null, audioMode),
      rungs,
      stats: {
        decodedFrames: decoded,
        skippedFrames: decodeStats.skippedBeforeKey,
        encodedFrames: rungs.reduce((n, r) => n + r.frames, 0),
        chunks: chunks.length,
        requeued: scheduler.requeued,
        recalibrated: scheduler.recalibrated,
        hardwareChunks: chunks.filter((c) => c.hardware).length,
        softwareChunks: chunks.filter((c) => !c.hardware).length,
        wallMs,
        ...(meter ? { qualityMs: Math.round(meter.busyMs) } : {}),
        stages: stageProfile({ wallMs, front: front.meters, scheduler: scheduler.stages(), maxScalesInFlight, scaler }),
      },
    };
  } finally {
    signal?.removeEventListener('abort', disposeOnAbort);
    disposeAll(leases);
    await meter?.close(); // no decoded frame outlives the job
    scaler?.destroy();
    demux.close();
  }
}

/** A frame source's audio, known once its frames are in: encoded from the caller's AudioData, or none. */
function frameSourceAudio(given: AudioPassthrough | null, mode: AudioMode): AudioOutcome {
  const a = mode === 'drop' ? null : given;
  if (mode === 'require' && !a) throw new NoAudioTrackError("The frame source gave no audio, and audio: 'require' asks for it");
  return a
    ? { action: 're-encoded', source: null, output: { codec: a.codec, codecString: a.codecString, sampleRate: a.sampleRate, numberOfChannels: a.numberOfChannels } }
    : { action: mode === 'drop' ? 'dropped' : 'none', source: null, output: null };
}

function achieved(records: ChunkRecord[]): number {
  let bits = 0;
  let seconds = 0;
  for (const r of records) { bits += r.bytes * 8; seconds += r.seconds; }
  return seconds > 0 ? Math.round(bits / seconds) : 0;
}

function disposeAll(leases: EncoderLease[]): void {
  for (const l of leases.splice(0)) l.dispose();
}
