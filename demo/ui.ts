// Small helpers the demo pages share: errors in plain words, ladder text, byte and rate formats.
import type { RungSpec } from '../src/mod.ts';

const PLAIN: Record<string, string> = {
  CorruptInputError: 'This file cannot be read as a video: it is empty, truncated or not a media file.',
  NoVideoTrackError: 'This file has no video track, so there is nothing to encode.',
  UnsupportedCodecError: "This browser cannot handle the file's codec or pixel format.",
  InputTooLargeError: 'This video is larger than the engine accepts.',
  EmptyPoolError: 'The chosen policy leaves no encoder to work with; pick another policy.',
  CodecFailureError: 'An encoder or decoder failed while working.',
  ContractMismatchError: 'An encoder produced output that does not match the rung it was asked for.',
  BitstreamError: 'An encoded stream could not be parsed.',
  AbortError: 'Cancelled.',
  TypeError: 'A setting is not valid.',
  RangeError: 'A setting is out of range.',
};

/** One or two sentences a person can act on, with the engine's own message as the detail. */
export function describeError(err: unknown): string {
  const e = err instanceof Error ? err : new Error(String(err));
  const plain = PLAIN[e.name] ?? 'Something went wrong.';
  return e.name === 'AbortError' || !e.message ? plain : `${plain} (${e.message})`;
}

/** "720, 480:900" → rungs; a bitrate after a colon is in kb/s. */
export function parseLadder(text: string): RungSpec[] {
  const rungs = text.split(/[\s,]+/).filter(Boolean).map((part) => {
    const [h, kbps] = part.split(':');
    const height = Number(h);
    if (!Number.isInteger(height) || height < 2) throw new RangeError(`"${part}" is not a rung height`);
    if (kbps === undefined) return { height };
    const bitrate = Number(kbps) * 1000;
    if (!(bitrate > 0)) throw new RangeError(`"${part}" has no valid bitrate`);
    return { height, bitrate };
  });
  if (rungs.length === 0) throw new RangeError('The ladder needs at least one rung');
  return rungs;
}

export function formatBytes(n: number): string {
  return n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(2)} MiB` : `${(n / 1024).toFixed(0)} KiB`;
}

export function formatRate(bitsPerSecond: number): string {
  return bitsPerSecond >= 1e6 ? `${(bitsPerSecond / 1e6).toFixed(2)} Mb/s` : `${(bitsPerSecond / 1e3).toFixed(0)} kb/s`;
}

/** A rung's colour in the timeline and the progress bars. */
export function rungColour(index: number): string {
  return `hsl(${(index * 67 + 200) % 360} 65% 50%)`;
}

/** A PSNR in dB for display: "42.31 dB", or "∞ dB" for identical pictures. */
export function formatDb(db: number): string {
  return Number.isFinite(db) ? `${db.toFixed(2)} dB` : db > 0 ? '∞ dB' : '?';
}
