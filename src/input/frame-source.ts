// Frame-source input: an editor hands the engine VideoFrames it rendered (a canvas, a compositor)
// instead of a file. It takes the demux + decode stages' place and feeds the same scale → scheduler
// pipeline. Every frame the engine takes from the iterable is the engine's to close, on success,
// error or abort alike; frames it never takes stay the caller's (ending early calls return()).
import { abortError } from '../errors.ts';
import { adopt, release } from '../decode/frames.ts';
import type { AudioCodecs, AudioPassthrough, FrameSource, SourceInfo, VideoCodecs } from '../types/mod.ts';
import { FrameAudioEncoder } from './frame-audio.ts';

export type { FrameSource } from '../types/mod.ts';

/** What the pipeline reads from a frame source: the same facts a demuxed file gives, and frames. */
export interface FrameInput {
  info: SourceInfo;
  /** Yields engine-owned I420/NV12 frames; the consumer release()s each. */
  frames(signal: AbortSignal | undefined): AsyncGenerator<VideoFrame, void, undefined>;
  readAudio(): Promise<null>;
  /** The AudioData the source gave, as an Opus track; ready once frames() has ended. */
  audio(): AudioPassthrough | null;
  close(): void;
}

const BT709: VideoColorSpaceInit = { primaries: 'bt709', transfer: 'bt709', matrix: 'bt709', fullRange: false };

export function isFrameSource(input: unknown): input is FrameSource {
  return typeof input === 'object' && input !== null && 'frames' in input && !(input instanceof Blob) && !(input instanceof ReadableStream);
}

function dimension(name: string, v: unknown, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 2 || v > max) throw new RangeError(`options.input.${name} must be an integer between 2 and ${max}, got ${String(v)}`);
  return v;
}

/** The runtime's classes a frame source needs: VideoFrame (to convert RGB frames, and to tell frames from audio) and the audio ones. */
export interface FrameSourceCodecs {
  VideoFrame: VideoCodecs['VideoFrame'];
  audio: Pick<AudioCodecs, 'AudioData' | 'AudioEncoder'> | null;
}

export function openFrameSource(source: FrameSource, codecs: FrameSourceCodecs): FrameInput {
  const { VideoFrame } = codecs;
  const width = dimension('width', source.width, 8192);
  const height = dimension('height', source.height, 8192);
  if (typeof source.frameRate !== 'number' || !(source.frameRate > 0 && source.frameRate <= 1000)) {
    throw new RangeError(`options.input.frameRate must be a number between 0 and 1000, got ${String(source.frameRate)}`);
  }
  if (source.frameCount !== undefined && !(Number.isInteger(source.frameCount) && source.frameCount >= 0)) {
    throw new RangeError(`options.input.frameCount must be a non-negative integer, got ${String(source.frameCount)}`);
  }
  const iterable = source.frames as Partial<AsyncIterable<unknown>> | null;
  if (typeof iterable?.[Symbol.asyncIterator] !== 'function') throw new TypeError('options.input.frames must be an async iterable of VideoFrames');
  const frameCount = source.frameCount ?? 0;
  const info: SourceInfo = {
    container: 'frame-source',
    codec: 'raw',
    codedWidth: width,
    codedHeight: height,
    squarePixelWidth: width,
    squarePixelHeight: height,
    rotation: 0,
    displayWidth: width,
    displayHeight: height,
    pixelAspectRatio: { num: 1, den: 1 },
    frameRate: source.frameRate,
    durationSeconds: frameCount / source.frameRate,
    frameCount,
    timescale: null,
    colorSpace: { ...BT709, ...source.colorSpace },
    audio: null,
  };
  let iterator: AsyncIterator<VideoFrame | AudioData> | null = null;
  let finished = false;
  const audioEncoder = new FrameAudioEncoder(codecs.audio);
  let audio: AudioPassthrough | null = null;
  const stop = () => {
    if (!iterator || finished) return;
    finished = true;
    // Not awaited: a generator suspended in its own await answers return() only after that.
    void Promise.resolve().then(() => iterator?.return?.()).catch(() => {});
  };
  return {
    info,
    async *frames(signal) {
      iterator = source.frames[Symbol.asyncIterator]();
      let n = 0;
      try {
        for (;;) {
          if (signal?.aborted) throw abortError(signal.reason);
          const next = await nextOrAbort(iterator, signal);
          if (next.done) {
            finished = true;
            audio = await audioEncoder.finish();
            return;
          }
          const item: unknown = next.value;
          if (codecs.audio ? item instanceof codecs.audio.AudioData : looksLikeAudioData(item)) {
            await audioEncoder.add(item as AudioData);
            continue;
          }
          if (!(item instanceof VideoFrame)) {
            closeItem(item);
            throw new TypeError(`options.input.frames yielded ${describe(item)} after ${n} frames; it must yield VideoFrame or AudioData`);
          }
          const frame = adopt(item);
          let owned: VideoFrame | null = null;
          try {
            const w = frame.visibleRect?.width ?? frame.displayWidth;
            const h = frame.visibleRect?.height ?? frame.displayHeight;
            if (w !== width || h !== height) throw new RangeError(`Cannot read frame source: frame ${n} is ${w}x${h}, the source declared ${width}x${height}`);
            owned = frame.format === 'I420' || frame.format === 'I420A' || frame.format === 'NV12' ? frame : await toI420(frame, w, h, VideoFrame);
          } finally {
            // The converted copy replaces the caller's frame, which is closed here.
            if (owned !== frame) release(frame);
          }
          n++;
          yield owned!;
        }
      } finally {
        audioEncoder.close();
        stop();
      }
    },
    // Audio arrives with the frames, so it is read after them (audio()), not before decoding.
    readAudio: () => Promise.resolve(null),
    audio: () => audio,
    close: () => {
      audioEncoder.close();
      stop();
    },
  };
}

/** The iterator's next item, or an AbortError as soon as the signal fires (a late item is closed). */
function nextOrAbort<T>(it: AsyncIterator<T>, signal: AbortSignal | undefined): Promise<IteratorResult<T>> {
  const p = it.next();
  if (!signal) return p;
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      reject(abortError(signal.reason));
      p.then((r) => { if (!r.done) closeItem(r.value); }, () => {});
    };
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (r) => { signal.removeEventListener('abort', onAbort); resolve(r); },
      (e: unknown) => { signal.removeEventListener('abort', onAbort); reject(e instanceof Error ? e : new Error(String(e))); },
    );
  });
}

/** Without the runtime's AudioData class, an object shaped like one (FrameAudioEncoder then refuses it by name). */
function looksLikeAudioData(item: unknown): boolean {
  return typeof item === 'object' && item !== null && 'sampleRate' in item && 'numberOfChannels' in item;
}

function closeItem(item: unknown): void {
  if (typeof (item as { close?: unknown } | null)?.close === 'function') {
    try { (item as { close(): void }).close(); } catch { /* already closed */ }
  }
}

function describe(v: unknown): string {
  return v === null ? 'null' : typeof v === 'object' ? (v.constructor?.name ?? 'an object') : typeof v;
}

/**
 * An RGB frame (a canvas) as an engine-owned I420 frame, BT.709 limited range. The scaler reads YUV
 * planes only; a 2x2 average gives the chroma.
 */
async function toI420(frame: VideoFrame, w: number, h: number, VideoFrame: VideoCodecs['VideoFrame']): Promise<VideoFrame> {
  const rgba = new Uint8Array(w * h * 4);
  await frame.copyTo(rgba, { format: 'RGBA' });
  const cw = Math.ceil(w / 2);
  const ch = Math.ceil(h / 2);
  const out = new Uint8Array(w * h + 2 * cw * ch);
  const u0 = w * h;
  const v0 = u0 + cw * ch;
  for (let i = 0, p = 0; i < w * h; i++, p += 4) {
    out[i] = 16 + ((46.559 * rgba[p]! + 156.629 * rgba[p + 1]! + 15.812 * rgba[p + 2]!) / 255 + 0.5 | 0);
  }
  for (let y = 0; y < ch; y++) {
    const ya = 2 * y;
    const yb = Math.min(ya + 1, h - 1);
    for (let x = 0; x < cw; x++) {
      const xa = 2 * x;
      const xb = Math.min(xa + 1, w - 1);
      let r = 0;
      let g = 0;
      let b = 0;
      for (const p of [(ya * w + xa) * 4, (ya * w + xb) * 4, (yb * w + xa) * 4, (yb * w + xb) * 4]) {
        r += rgba[p]!;
        g += rgba[p + 1]!;
        b += rgba[p + 2]!;
      }
      r /= 4 * 255;
      g /= 4 * 255;
      b /= 4 * 255;
      // BT.709: Cb = (B - Y) / 1.8556, Cr = (R - Y) / 1.5748, scaled to 224 steps around 128.
      const yl = 0.2126 * r + 0.7152 * g + 0.0722 * b;
      out[u0 + y * cw + x] = 128 + Math.round((224 * (b - yl)) / 1.8556);
      out[v0 + y * cw + x] = 128 + Math.round((224 * (r - yl)) / 1.5748);
    }
  }
  return adopt(new VideoFrame(out, {
    format: 'I420', codedWidth: w, codedHeight: h, timestamp: frame.timestamp,
    ...(frame.duration !== null ? { duration: frame.duration } : {}),
    colorSpace: BT709,
  }));
}
