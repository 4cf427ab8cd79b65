// m3u8-parser (videojs) for the tests: an independent reading of the playlists the engine writes.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

// m3u8-parser ships no type declarations; this is the part of its output the test reads.
export interface ParsedSegment { uri: string; duration: number; map?: { uri: string }; byterange?: { length: number; offset: number } }
export interface ParsedManifest {
  version?: number; targetDuration?: number; playlistType?: string; endList?: boolean; iFramesOnly?: boolean;
  independentSegments?: boolean; segments: ParsedSegment[];
  playlists?: Array<{ uri: string; attributes: Record<string, unknown> }>;
  iFramePlaylists?: Array<{ uri: string; attributes: Record<string, unknown> }>;
  mediaGroups?: { AUDIO: Record<string, Record<string, { uri?: string; default?: boolean; autoselect?: boolean }>> };
}
interface M3u8Parser { on(ev: 'warn', fn: (w: { message: string }) => void): void; push(s: string): void; end(): void; manifest: ParsedManifest }
const { Parser } = createRequire(import.meta.url)('m3u8-parser') as { Parser: new () => M3u8Parser };

/** Parses a playlist; m3u8-parser's warnings fail the test. */
export function parseM3u8(text: string): ParsedManifest {
  const p = new Parser();
  const warnings: string[] = [];
  p.on('warn', (w) => warnings.push(w.message));
  p.push(text);
  p.end();
  assert.deepEqual(warnings, [], 'm3u8-parser warnings');
  return p.manifest;
}
