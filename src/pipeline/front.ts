// The front of the pipeline: [demux →] decode → plane readout → scale → hand-off to the scheduler.
// Each stage is a loop joined to the next by a bounded queue and all run at once, so the decoder
// decodes while frames are read out and several are scaled. The bounds, all explicit:
//   packets read ahead of the decoder   PACKET_QUEUE
//   VideoFrames open                    maxFramesInFlight: the decoder's window, one queued for
//                                       readout and one being read out
//   frames being scaled, or scaled and  maxScalesInFlight (the scale queue's capacity); frames
//   waiting for an earlier one          reach the scheduler in decode order
//   raw bytes held for encoding         the scheduler's maxBufferedBytes (room())
// The first stage to fail stops them all: every queue fails (dropped VideoFrames are closed), the
// scheduler is failed, and run() settles once every loop has, so no frame is left open.
import { release } from '../decode/frames.ts';
import type { DemuxedPacket } from '../types/mod.ts';
import { abortError } from '../errors.ts';
import type { PictureAlloc, ScaleTarget } from '../scale/scaler.ts';
import { handoffStage } from './handoff.ts';
import { StageMeter } from './meter.ts';
import { BoundedQueue } from './queue.ts';
import { readoutStage } from './readout.ts';
import type { OutputClock, ReadPlanes } from './readout.ts';
import { scaleStage } from './scale.ts';
import { BufferPool } from './pool.ts';
import type { ScaleCall } from './scale.ts';
import { decodeStage, demuxStage } from './source.ts';
import type { FrameSink, ReadFrame, ScalingFrame } from './types.ts';

/** Packets read ahead of the decoder: compressed, so a few hundred KB at most. */
export const PACKET_QUEUE = 16;

/** A file's packets and the decoder to run over them, or frames the caller made. */
export type FrontSource =
  | {
    packets: AsyncIterable<DemuxedPacket>;
    /** Decodes `packets`, holding at most `maxInFlight` frames and queued packets. */
    decode: (packets: AsyncIterable<DemuxedPacket>, maxInFlight: number) => AsyncGenerator<VideoFrame, void, undefined>;
  }
  | { frames: AsyncGenerator<VideoFrame, void, undefined> };

export interface FrontOptions {
  source: FrontSource;
  read: ReadPlanes;
  scaler: ScaleCall;
  targets: ScaleTarget[];
  rotation: 0 | 90 | 180 | 270;
  clock: OutputClock;
  sink: FrameSink & { fail(err: Error): void };
  maxFramesInFlight: number;
  maxScalesInFlight: number;
  /** Where the scaled pictures' buffers come from: a pool the sink gives them back to. */
  allocPicture?: PictureAlloc | undefined;
  signal?: AbortSignal | undefined;
  /** Called after each frame reaches the scheduler, with the count so far. */
  onFrame?: ((handed: number) => void) | undefined;
}

export interface FrontMeters {
  demux: StageMeter;
  decode: StageMeter;
  readout: StageMeter;
  scale: StageMeter;
  handoff: StageMeter;
}

export class PipelineFront {
  readonly meters: FrontMeters = { demux: new StageMeter(), decode: new StageMeter(), readout: new StageMeter(), scale: new StageMeter(), handoff: new StageMeter() };
  readonly #opts: FrontOptions;

  constructor(opts: FrontOptions) {
    for (const name of ['maxFramesInFlight', 'maxScalesInFlight'] as const) {
      if (!Number.isInteger(opts[name]) || opts[name] < 1) throw new RangeError(`${name} must be a positive integer, got ${String(opts[name])}`);
    }
    this.#opts = opts;
  }

  /** Runs every stage to the end; resolves with the number of frames handed to the scheduler. */
  async run(): Promise<number> {
    const o = this.#opts;
    const m = this.meters;
    const stop = new AbortController();
    const frames = new BoundedQueue<VideoFrame>('frames', { capacity: 1, producer: m.decode, consumer: m.readout, dispose: release });
    const planes = new BoundedQueue<ReadFrame>('planes', { capacity: 1, producer: m.readout, consumer: m.scale });
    const scaling = new BoundedQueue<ScalingFrame>('scaling', { capacity: o.maxScalesInFlight, producer: m.scale, consumer: m.handoff });
    const packets = new BoundedQueue<DemuxedPacket>('packets', { capacity: PACKET_QUEUE, producer: m.demux, consumer: m.decode });
    const queues: Array<{ fail(err: Error): void }> = [packets, frames, planes, scaling];
    const fail = (reason: unknown) => {
      if (stop.signal.aborted) return;
      const err = reason instanceof Error ? reason : new Error(String(reason));
      stop.abort(err);
      for (const q of queues) q.fail(err);
      o.sink.fail(err);
    };
    const onAbort = () => fail(abortError(o.signal?.reason));
    o.signal?.addEventListener('abort', onAbort, { once: true });
    if (o.signal?.aborted) onAbort();

    const loops: Array<Promise<unknown>> = [];
    if ('packets' in o.source) {
      loops.push(demuxStage(o.source.packets, packets, m.demux));
      // The frame queue and the readout hold one VideoFrame each; the decoder gets the rest.
      loops.push(decodeStage(o.source.decode(packets, Math.max(1, o.maxFramesInFlight - 2)), frames, m.decode));
    } else {
      loops.push(decodeStage(o.source.frames, frames, m.decode));
    }
    // Plane buffers go round from the readout to the scale calls and back: at most one per frame
    // in the planes queue, being read out, or being scaled.
    const buffers = new BufferPool(o.maxScalesInFlight + 2);
    loops.push(readoutStage(frames, planes, { read: o.read, clock: o.clock, alloc: (n) => buffers.take(n) }, m.readout));
    loops.push(scaleStage(planes, scaling, { scaler: o.scaler, targets: o.targets, rotation: o.rotation, recycle: (b) => buffers.give(b), alloc: o.allocPicture }, m.scale));
    const handoff = handoffStage(scaling, o.sink, { stop: stop.signal, onFrame: o.onFrame }, m.handoff);
    loops.push(handoff);
    await Promise.allSettled(loops.map((p) => p.catch((err: unknown) => fail(err))));
    o.signal?.removeEventListener('abort', onAbort);
    if (stop.signal.aborted) throw stop.signal.reason;
    return handoff;
  }
}
