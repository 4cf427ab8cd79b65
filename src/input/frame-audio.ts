// A frame source's AudioData, encoded as Opus while the frames stream in (WebCodecs AudioEncoder:
// every implementation has Opus, and MP4 and CMAF both carry it). Each AudioData is closed as soon
// as it is queued; the encoded track is ready once the source ends.
import { OpusTrack, opusEncoderConfig } from '../audio/audio.ts';
import type { AudioCodecs, AudioPassthrough } from '../types/mod.ts';
import { CodecFailureError, UnsupportedCodecError } from '../errors.ts';

/** AudioData queued in the encoder before add() waits for a 'dequeue'. */
const MAX_QUEUED = 16;

export class FrameAudioEncoder {
  #encoder: AudioEncoder | null = null;
  #format = '';
  #track: OpusTrack | null = null;
  #failure: Error | null = null;
  readonly #codecs: Pick<AudioCodecs, 'AudioEncoder'> | null;

  /** `codecs`: the runtime's audio WebCodecs, or null where it has none (audio is then refused by name). */
  constructor(codecs: Pick<AudioCodecs, 'AudioEncoder'> | null) {
    this.#codecs = codecs;
  }

  /** Queues one AudioData for encoding and closes it. */
  async add(data: AudioData): Promise<void> {
    try {
      if (this.#failure) throw this.#failure;
      const format = `${data.sampleRate} Hz, ${data.numberOfChannels} ch`;
      if (!this.#encoder) {
        this.#encoder = await this.#open(data.sampleRate, data.numberOfChannels);
        this.#format = format;
      } else if (format !== this.#format) {
        throw new RangeError(`Cannot encode frame source audio: AudioData changed from ${this.#format} to ${format}`);
      }
      this.#encoder.encode(data);
    } finally {
      data.close();
    }
    const encoder = this.#encoder;
    while (encoder.encodeQueueSize > MAX_QUEUED && !this.#failure) {
      await new Promise((resolve) => encoder.addEventListener('dequeue', resolve, { once: true }));
    }
  }

  async #open(sampleRate: number, numberOfChannels: number): Promise<AudioEncoder> {
    if (!this.#codecs) throw new UnsupportedCodecError('Cannot encode frame source audio: this runtime has no WebCodecs AudioEncoder');
    const { AudioEncoder } = this.#codecs;
    const config = opusEncoderConfig(sampleRate, numberOfChannels);
    const ok = await AudioEncoder.isConfigSupported(config).then((r) => r.supported === true, () => false);
    if (!ok) throw new UnsupportedCodecError(`Cannot encode frame source audio: this runtime cannot encode ${numberOfChannels}-channel ${sampleRate} Hz Opus`);
    const track = new OpusTrack(numberOfChannels, sampleRate);
    const encoder = new AudioEncoder({
      output: track.output,
      error: (e) => { this.#failure ??= new CodecFailureError(`Cannot encode frame source audio: ${e.message}`); },
    });
    encoder.configure(config);
    this.#track = track;
    return encoder;
  }

  /** Flushes the encoder; the Opus track, or null when the source gave no audio. */
  async finish(): Promise<AudioPassthrough | null> {
    const encoder = this.#encoder;
    const track = this.#track;
    if (!encoder || !track) return null;
    await encoder.flush().catch((e: unknown) => { this.#failure ??= new CodecFailureError(`Cannot encode frame source audio: flush failed: ${String(e)}`); });
    this.close();
    if (this.#failure) throw this.#failure;
    return track.finish();
  }

  close(): void {
    if (this.#encoder && this.#encoder.state !== 'closed') this.#encoder.close();
  }
}
