// One segment through the engine's own stages: decode from its key frame (dropping the pre-roll),
// read out, WGSL-scale to the asked rungs, and encode each rung's chunk on the given leases with
// the chunk scheduler (fresh encoder, key frame first, contract checked within the rung). The
// chunks come back as plain data instead of being muxed.
import { decodeFrames } from '../decode/decoder.ts';
import type { DecodeCodecs } from '../decode/decoder.ts';
import { release } from '../decode/frames.ts';
import { readPlanes } from '../decode/planes.ts';
import type { Demuxed } from '../demux/demux.ts';
import { CodecFailureError } from '../errors.ts';
import { PipelineFront } from '../pipeline/front.ts';
import { picturePool } from '../pipeline/pool.ts';
import type { PicturePool } from '../pipeline/pool.ts';
import { OutputClock } from '../pipeline/readout.ts';
import type { ScaleCall } from '../pipeline/scale.ts';
import type { RateController } from '../schedule/rate.ts';
import { Scheduler } from '../schedule/scheduler.ts';
import type { ChunkOutput, ChunkRecord, EncoderLease } from '../types/mod.ts';
import type { JobSpec, Segment } from './protocol.ts';

export interface EncodedChunk {
  rung: number;
  output: ChunkOutput;
  record: ChunkRecord;
}

export interface SegmentRun {
  spec: JobSpec;
  demux: Demuxed;
  segment: Segment;
  /** Rung indexes (into spec.plans) to encode. */
  rungs: number[];
  /** The decoder's classes (the worker's runtime). */
  codecs: DecodeCodecs;
  scaler: ScaleCall;
  leases: EncoderLease[];
  signal: AbortSignal;
  /** Shared across a worker's segments of the job, indexed like `rungs` when given. */
  rate?: RateController | undefined;
  /** Scaled pictures' buffers, shared across a worker's segments (a pool of this segment's own when absent). */
  pictures?: PicturePool | undefined;
  /** Test-only: the colour description handed to the encoder instead of the job's. */
  colorOverride?: VideoColorSpaceInit | undefined;
}

/** Bytes of frames a segment's scheduler may hold (the bound its picture pool is sized from). */
export const SEGMENT_BUFFERED_BYTES = 256 * 1024 * 1024;

/** Encodes one segment's chunk of every asked rung; resolves with them in `rungs` order. */
export async function encodeSegment(run: SegmentRun): Promise<EncodedChunk[]> {
  const { spec, segment, demux } = run;
  const plans = run.rungs.map((r) => {
    const p = spec.plans[r];
    if (!p) throw new RangeError(`Cannot encode segment ${segment.index}: job ${spec.job} has no rung ${r}`);
    return p;
  });
  const outColor = run.colorOverride ?? { ...spec.colorSpace, fullRange: false };
  const results: Array<EncodedChunk | null> = plans.map(() => null);
  const pictures = run.pictures ?? picturePool(SEGMENT_BUFFERED_BYTES);
  const scheduler = new Scheduler({
    rungs: plans.map((p) => ({
      job: { codec: p.codec, width: p.width, height: p.height, bitrate: p.bitrate, quantizer: p.quantizer, frameRate: spec.frameRate, colorSpace: outColor, preferHardware: true },
      declared: { profile: 0, bitDepth: 8, monochrome: false, subsamplingX: 1, subsamplingY: 1 },
    })),
    leases: run.leases,
    maxBufferedBytes: SEGMENT_BUFFERED_BYTES,
    onFramesFreed: pictures.free,
    signal: run.signal,
    expectedFrames: segment.frames,
    chunkSeconds: spec.chunkSeconds,
    rate: run.rate,
    onRungDone: async (accepted) => {
      const c = accepted.chunks[0];
      if (!c || accepted.chunks.length !== 1) throw new CodecFailureError(`Segment ${segment.index}: rung ${accepted.rung} came out as ${accepted.chunks.length} chunks, not one`);
      results[accepted.rung] = { rung: run.rungs[accepted.rung]!, output: c.output, record: { ...c.record, index: segment.index } };
    },
  });
  const encoding = scheduler.run();
  encoding.catch(() => {});
  // Output time 0 is the source's first frame, and the whole segment is one chunk.
  const clock = new OutputClock(Infinity, spec.frameRate, spec.timescale);
  clock.firstTimestamp = spec.firstTimestamp;
  const front = new PipelineFront({
    source: { frames: segmentFrames(demux, segment, run.codecs, run.signal) },
    read: (frame, alloc) => readPlanes(frame, spec.fullRange, alloc),
    scaler: run.scaler,
    allocPicture: pictures.alloc,
    targets: plans.map((p) => ({ width: p.width, height: p.height })),
    rotation: spec.rotation,
    clock,
    sink: scheduler,
    maxFramesInFlight: 8,
    maxScalesInFlight: 2,
    signal: run.signal,
  });
  try {
    const handed = await front.run();
    if (handed !== segment.frames) throw new CodecFailureError(`Segment ${segment.index}: decoded ${handed} frames, the index lists ${segment.frames}`);
    scheduler.endInput();
  } catch (err) {
    scheduler.fail(err instanceof Error ? err : new Error(String(err)));
    await encoding.catch(() => {});
    throw err;
  }
  await encoding;
  return results.map((r, i) => {
    if (!r) throw new CodecFailureError(`Segment ${segment.index}: rung ${run.rungs[i]} produced no chunk`);
    return r;
  });
}

/** The segment's frames in presentation order: pre-roll frames are closed, decoding stops after the last. */
async function* segmentFrames(demux: Demuxed, segment: Segment, codecs: DecodeCodecs, signal: AbortSignal): AsyncGenerator<VideoFrame, void, undefined> {
  const decoded = decodeFrames(demux.decoderConfig, demux.packets(segment.startUs), { codecs, maxInFlight: 6, signal, stats: { skippedBeforeKey: 0 } });
  let yielded = 0;
  try {
    for await (const frame of decoded) {
      const t = frame.timestamp;
      if (t < segment.startUs || (segment.endUs !== null && t >= segment.endUs)) {
        release(frame); // pre-roll, or a frame of the next segment that decode order brought in
        continue;
      }
      yielded++;
      yield frame;
      if (yielded >= segment.frames) return;
    }
  } finally {
    await decoded.return();
  }
}
