// A frame source's AudioData, encoded as Opus while the frames stream in (WebCodecs AudioEncoder:
// every implementation has Opus, and MP4 and CMAF both carry it). Each AudioData is closed as soon
// as it is queued; the encoded track is ready once the source ends.
import { opusHead } from '../audio/audio.ts';
import type { AudioPassthrough, DemuxedPacket } from '../demux/demux.ts';
import { CodecFailureError, UnsupportedCodecError } from '../errors.ts';

const BITRATE_PER_CHANNEL = 64_000;
/** AudioData queued in the encoder before add() waits for a 'dequeue'. */
const MAX_QUEUED = 16;

export class FrameAudioEncoder {
  #encoder: AudioEncoder | null = null;
  #format = '';
  #channels = 0;
  #inputRate = 0;
  #packets: DemuxedPacket[] = [];
  #description: Uint8Array | undefined;
  #failure: Error | null = null;

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
    if (typeof AudioEncoder === 'undefined') throw new UnsupportedCodecError('Cannot encode frame source audio: this runtime has no WebCodecs AudioEncoder');
    const config: AudioEncoderConfig = { codec: 'opus', sampleRate, numberOfChannels, bitrate: BITRATE_PER_CHANNEL * numberOfChannels };
    const ok = await AudioEncoder.isConfigSupported(config).then((r) => r.supported === true, () => false);
    if (!ok) throw new UnsupportedCodecError(`Cannot encode frame source audio: this runtime cannot encode ${numberOfChannels}-channel ${sampleRate} Hz Opus`);
    const encoder = new AudioEncoder({
      output: (chunk, meta) => {
        const data = new Uint8Array(chunk.byteLength);
        chunk.copyTo(data);
        const d = meta?.decoderConfig?.description;
        if (d && !this.#description) this.#description = ArrayBuffer.isView(d) ? new Uint8Array(d.buffer, d.byteOffset, d.byteLength).slice() : new Uint8Array(d).slice();
        this.#packets.push({ data, key: true, timestamp: chunk.timestamp, duration: chunk.duration ?? 20_000 });
      },
      error: (e) => { this.#failure ??= new CodecFailureError(`Cannot encode frame source audio: ${e.message}`); },
    });
    encoder.configure(config);
    this.#channels = numberOfChannels;
    this.#inputRate = sampleRate;
    return encoder;
  }

  /** Flushes the encoder; the Opus track, or null when the source gave no audio. */
  async finish(): Promise<AudioPassthrough | null> {
    const encoder = this.#encoder;
    if (!encoder) return null;
    await encoder.flush().catch((e: unknown) => { this.#failure ??= new CodecFailureError(`Cannot encode frame source audio: flush failed: ${String(e)}`); });
    this.close();
    if (this.#failure) throw this.#failure;
    this.#packets.sort((a, b) => a.timestamp - b.timestamp);
    return {
      codec: 'opus',
      codecString: 'opus',
      sampleRate: 48_000, // Opus decodes at 48 kHz whatever the input rate
      numberOfChannels: this.#channels,
      description: this.#description ?? opusHead(this.#channels, 0, this.#inputRate),
      packets: this.#packets,
    };
  }

  close(): void {
    if (this.#encoder && this.#encoder.state !== 'closed') this.#encoder.close();
  }
}
