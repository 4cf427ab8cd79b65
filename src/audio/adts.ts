// AAC in ADTS framing (MPEG-TS, raw .aac) made fit for MP4 and CMAF: the AudioSpecificConfig is
// built from the first ADTS header and every header is stripped, so the raw AAC frames are carried
// bit for bit, with no re-encode. ISO/IEC 14496-3 1.A.2.2 (adts_fixed_header, adts_variable_header)
// and 1.6.2.1 (AudioSpecificConfig).
import type { SourceAudio } from '../types/mod.ts';
import { CorruptInputError, UnsupportedCodecError } from '../errors.ts';

/** sampling_frequency_index → Hz (14496-3 table 1.18); 13 and 14 are reserved, 15 is explicit. */
const SAMPLE_RATES = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350];
/** channel_configuration → channels (14496-3 table 1.19); 0 means a PCE inside the frame. */
const CHANNELS = [0, 1, 2, 3, 4, 5, 6, 8];
const PROFILES = ['Main', 'LC', 'SSR', 'LTP'];

export interface AdtsHeader {
  /** MPEG-4 audio object type: the ADTS profile + 1 (1 Main, 2 LC, 3 SSR, 4 LTP). */
  objectType: number;
  sampleRateIndex: number;
  channelConfiguration: number;
  /** Header bytes: 7, or 9 when a CRC follows the header (protection_absent = 0). */
  headerLength: number;
  /** The whole frame, header included. */
  frameLength: number;
  /** number_of_raw_data_blocks_in_frame + 1. */
  rawDataBlocks: number;
}

/** True when `data` starts with an ADTS sync word (0xFFF, layer 0). */
export function isAdts(data: Uint8Array): boolean {
  return data.length >= 7 && data[0] === 0xff && (data[1]! & 0xf6) === 0xf0;
}

/** Parses the ADTS header at the start of `data`; null when it is not one (no sync word, reserved values). */
export function parseAdtsHeader(data: Uint8Array): AdtsHeader | null {
  if (!isAdts(data)) return null;
  const b1 = data[1]!, b2 = data[2]!, b3 = data[3]!, b4 = data[4]!, b5 = data[5]!, b6 = data[6]!;
  const protectionAbsent = b1 & 1;
  const sampleRateIndex = (b2 >> 2) & 0xf;
  if (sampleRateIndex >= SAMPLE_RATES.length) return null;
  const header: AdtsHeader = {
    objectType: (b2 >> 6) + 1,
    sampleRateIndex,
    channelConfiguration: ((b2 & 1) << 2) | (b3 >> 6),
    headerLength: protectionAbsent ? 7 : 9,
    frameLength: ((b3 & 3) << 11) | (b4 << 3) | (b5 >> 5),
    rawDataBlocks: (b6 & 3) + 1,
  };
  return header;
}

/** The 2-byte AudioSpecificConfig the header describes (GASpecificConfig: 1024-sample frames, no core coder, no extension). */
export function audioSpecificConfig(h: Pick<AdtsHeader, 'objectType' | 'sampleRateIndex' | 'channelConfiguration'>): Uint8Array {
  return new Uint8Array([(h.objectType << 3) | (h.sampleRateIndex >> 1), ((h.sampleRateIndex & 1) << 7) | (h.channelConfiguration << 3)]);
}

function describe(h: AdtsHeader): string {
  return `AAC ${PROFILES[h.objectType - 1]}, ${SAMPLE_RATES[h.sampleRateIndex]} Hz, ${CHANNELS[h.channelConfiguration]} ch`;
}

function sameConfig(a: AdtsHeader, b: AdtsHeader): boolean {
  return a.objectType === b.objectType && a.sampleRateIndex === b.sampleRateIndex && a.channelConfiguration === b.channelConfiguration;
}

export interface Unwrapped {
  audio: SourceAudio;
  /** What the user should know (a cut-off last frame that was left out). */
  notices: string[];
}

/**
 * AAC whose packets are ADTS frames, as raw AAC frames with an AudioSpecificConfig. Refuses (with
 * a message naming the packet and its time) what one MP4 track cannot carry: a mid-stream change
 * of profile, rate or channels, a channel configuration given in-band (PCE), several raw data
 * blocks in a frame. A header that does not parse, or a frame length that disagrees with the
 * packet, is a CorruptInputError; only a cut-off last frame (a truncated file) is left out.
 */
export function unwrapAdts(source: SourceAudio): Unwrapped {
  const what = 'Cannot carry the source\'s ADTS AAC audio';
  const at = (i: number) => `packet ${i + 1} of ${source.packets.length} (at ${(source.packets[i]!.timestamp / 1e6).toFixed(3)} s)`;
  const headers = source.packets.map((p) => parseAdtsHeader(p.data));
  const first = headers[0];
  if (!first) throw new CorruptInputError(`${what}: ${source.packets.length ? `${at(0)} has no valid ADTS header` : 'it has no packets'}`);
  if (first.channelConfiguration === 0) {
    throw new UnsupportedCodecError(`${what}: its channel layout is given in-band (ADTS channel configuration 0, a program config element), which is not supported`);
  }
  const packets: SourceAudio['packets'] = [];
  const notices: string[] = [];
  for (let i = 0; i < source.packets.length; i++) {
    const p = source.packets[i]!;
    const h = headers[i];
    if (!h || h.frameLength < h.headerLength) throw new CorruptInputError(`${what}: ${at(i)} has a corrupt ADTS header`);
    if (h.rawDataBlocks !== 1) {
      throw new UnsupportedCodecError(`${what}: ${at(i)} packs ${h.rawDataBlocks} AAC frames into one ADTS frame, which is not supported`);
    }
    if (!sameConfig(h, first)) {
      // A header that differs once and then returns is damage; one that stays is a real change.
      const next = headers[i + 1];
      if (next && sameConfig(next, first)) throw new CorruptInputError(`${what}: ${at(i)} has a corrupt ADTS header: it declares ${describe(h)}, in a stream of ${describe(first)}`);
      throw new UnsupportedCodecError(`${what}: its configuration changes mid-stream at ${at(i)}, from ${describe(first)} to ${describe(h)}; one output track carries one configuration`);
    }
    if (h.frameLength !== p.data.byteLength) {
      if (i === source.packets.length - 1 && h.frameLength > p.data.byteLength) {
        notices.push(`The source's last AAC frame (at ${(p.timestamp / 1e6).toFixed(3)} s) is cut off (${p.data.byteLength} of ${h.frameLength} bytes) and was left out`);
        break;
      }
      throw new CorruptInputError(`${what}: ${at(i)} is ${p.data.byteLength} bytes but its ADTS header says ${h.frameLength}`);
    }
    packets.push({ ...p, data: p.data.subarray(h.headerLength) });
  }
  return {
    audio: {
      ...source,
      codecString: `mp4a.40.${first.objectType}`,
      sampleRate: SAMPLE_RATES[first.sampleRateIndex]!,
      numberOfChannels: CHANNELS[first.channelConfiguration]!,
      description: audioSpecificConfig(first),
      packets,
    },
    notices,
  };
}
