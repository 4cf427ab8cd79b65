// Decode stage: one VideoDecoder per job. Packets go in, frames come out of an async generator,
// with at most `maxInFlight` frames decoded-but-unconsumed or queued in the decoder.
// The consumer owns each yielded frame and must release() it.
import { CorruptInputError, UnsupportedCodecError, abortError } from '../errors.ts';
import type { DemuxedPacket, VideoCodecs } from '../types/mod.ts';
import { adopt, release } from './frames.ts';

export interface DecodeStats {
  /** Packets skipped because they came before the first key frame. */
  skippedBeforeKey: number;
}

/** The decode stage's part of a runtime's WebCodecs. */
export type DecodeCodecs = Pick<VideoCodecs, 'VideoDecoder' | 'EncodedVideoChunk'>;

export async function checkDecoderConfig(config: VideoDecoderConfig, { VideoDecoder }: Pick<VideoCodecs, 'VideoDecoder'>): Promise<void> {
  let ok = false;
  try {
    ok = (await VideoDecoder.isConfigSupported(config)).supported === true;
  } catch (err) {
    throw new UnsupportedCodecError(`Cannot decode ${config.codec}: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!ok) throw new UnsupportedCodecError(`Cannot decode ${config.codec}: this runtime's VideoDecoder does not support it`);
}

export async function* decodeFrames(
  config: VideoDecoderConfig,
  packets: AsyncIterable<DemuxedPacket>,
  opts: { codecs: DecodeCodecs; maxInFlight: number; signal?: AbortSignal | undefined; stats: DecodeStats },
): AsyncGenerator<VideoFrame, void, undefined> {
  const { VideoDecoder, EncodedVideoChunk } = opts.codecs;
  const queue: VideoFrame[] = [];
  let failure: Error | null = null;
  let wake: (() => void) | null = null;
  const notify = () => { const w = wake; wake = null; w?.(); };

  const decoder = new VideoDecoder({
    output: (frame) => { queue.push(adopt(frame)); notify(); },
    error: (e) => { failure = new CorruptInputError(`Cannot decode video: ${e.message}`, { cause: e }); notify(); },
  });
  decoder.addEventListener('dequeue', notify);
  const onAbort = () => notify();
  opts.signal?.addEventListener('abort', onAbort);
  decoder.configure(config);

  const it = packets[Symbol.asyncIterator]();
  let fed = false;
  let ended = false;
  let flushing: Promise<void> | null = null;
  let flushed = false;
  let sawKey = false;
  try {
    for (;;) {
      if (opts.signal?.aborted) throw abortError(opts.signal.reason);
      if (failure) throw failure;
      while (!ended && queue.length + decoder.decodeQueueSize < opts.maxInFlight) {
        const r = await it.next();
        if (opts.signal?.aborted) throw abortError(opts.signal.reason);
        if (r.done) { ended = true; break; }
        const p = r.value;
        if (!sawKey && !p.key) { opts.stats.skippedBeforeKey++; continue; }
        try {
          decoder.decode(new EncodedVideoChunk({ type: p.key ? 'key' : 'delta', timestamp: p.timestamp, duration: p.duration, data: p.data }));
        } catch (err) {
          // A container may mark a packet key that is not (a stream cut mid-GOP): before the first
          // real key frame that packet is skipped like any other, later it is a broken stream.
          if (!sawKey && err instanceof DOMException && err.name === 'DataError') { opts.stats.skippedBeforeKey++; continue; }
          throw new CorruptInputError(`Cannot decode the video packet at ${(p.timestamp / 1e6).toFixed(3)} s: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
        }
        sawKey = true;
        fed = true;
      }
      if (ended && !flushing) {
        if (!fed) throw new CorruptInputError('Cannot decode video: no key frame in the stream');
        flushing = decoder.flush().then(
          () => { flushed = true; notify(); },
          (e: unknown) => { failure ??= new CorruptInputError(`Cannot decode video: flush failed: ${e instanceof Error ? e.message : String(e)}`); notify(); },
        );
      }
      const frame = queue.shift();
      if (frame) {
        yield frame;
        continue;
      }
      if (failure) throw failure;
      if (flushed) return;
      await new Promise<void>((resolve) => { wake = resolve; });
    }
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    for (const f of queue.splice(0)) release(f);
    if (decoder.state !== 'closed') decoder.close();
    await it.return?.();
  }
}
