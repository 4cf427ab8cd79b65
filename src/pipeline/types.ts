// What travels between the front stages of the pipeline (decode → readout → scale → hand-off).
// A leaf: the stages import these, never each other.
import type { SourcePlanes } from '../types/mod.ts';

/** Where a frame lands in the output: its time (µs from the first frame) and its chunk. */
export interface FrameTiming {
  /** Position in decode output order, from 0. */
  seq: number;
  timestamp: number;
  duration: number;
  chunk: number;
}

/** A frame read out of its VideoFrame (which is closed by then). */
export interface ReadFrame extends FrameTiming {
  planes: SourcePlanes;
}

/** A frame handed to the scaler: its pictures, one per rung, arrive when the call settles. */
export interface ScalingFrame extends FrameTiming {
  pictures: Promise<Uint8Array[]>;
}

/** The scheduler as the hand-off sees it. */
export interface FrameSink {
  room(): Promise<void>;
  push(rung: number, chunk: number, frame: { data: ArrayBuffer; timestamp: number; duration: number }): void;
}
