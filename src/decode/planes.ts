// Reads a decoded frame's planes into memory (VideoFrame.copyTo): the portable hand-off from the
// decoder to the GPU scaler, which works on every WebGPU adapter, SwiftShader included.
import { UnsupportedCodecError } from '../errors.ts';
import type { SourcePlanes } from '../types/mod.ts';

/** `alloc` gives the buffer the planes are copied into (a pool's, in the pipeline). */
export async function readPlanes(frame: VideoFrame, fallbackFullRange: boolean, alloc: (size: number) => Uint8Array = (n) => new Uint8Array(n)): Promise<SourcePlanes> {
  const fmt = frame.format;
  // I420A carries an alpha plane after Y, U, V; the scaler reads only the first three.
  const format = fmt === 'I420' || fmt === 'I420A' ? 'I420' : fmt === 'NV12' ? 'NV12' : null;
  if (!format) throw new UnsupportedCodecError(`Cannot scale frame: pixel format ${fmt ?? 'unknown'} is not supported (8-bit 4:2:0 only)`);
  const data = alloc(frame.allocationSize());
  const layout = await frame.copyTo(data);
  const rect = frame.visibleRect;
  return {
    format,
    width: rect?.width ?? frame.displayWidth,
    height: rect?.height ?? frame.displayHeight,
    data,
    layout: layout.map((l) => ({ offset: l.offset, stride: l.stride })),
    fullRange: frame.colorSpace.fullRange ?? fallbackFullRange,
  };
}
