// A RangeReader input is read in ranges, never whole: the demuxer reads every packet of video.mp4
// and its audio through it while holding far less than the file, and closes it when done. Runs in
// Node (demuxing needs no WebCodecs).
import assert from 'node:assert/strict';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { openInput } from '../src/demux/demux.ts';
import type { RangeReader } from '../src/types/mod.ts';
import { MEDIA, sourceFrameCount } from './lib/media.ts';

function fileReader(path: string): RangeReader & { reads: Array<[number, number]>; closed: boolean; close(): void } {
  const fd = openSync(path, 'r');
  const reads: Array<[number, number]> = [];
  const reader = {
    size: statSync(path).size,
    reads,
    closed: false,
    async read(start: number, end: number) {
      reads.push([start, end]);
      const out = new Uint8Array(end - start);
      readSync(fd, out, 0, out.length, start);
      return out;
    },
    close() { closeSync(fd); reader.closed = true; },
  };
  return reader;
}

describe('RangeReader input', () => {
  it('demuxes video.mp4 through byte ranges, no range the whole file, and closes the reader', async () => {
    const path = join(MEDIA, 'video.mp4');
    const reader = fileReader(path);
    const demux = await openInput(reader);
    let packets = 0;
    for await (const _ of demux.packets()) packets++;
    const audio = await demux.readAudio();
    demux.close();
    assert.equal(packets, sourceFrameCount(path));
    assert.ok(audio && audio.packets.length > 0, 'audio read too');
    const largest = Math.max(...reader.reads.map(([s, e]) => e - s));
    const total = reader.reads.reduce((n, [s, e]) => n + e - s, 0);
    console.log(`${reader.reads.length} reads, largest ${largest} bytes, ${total} bytes in all, file ${reader.size} bytes`);
    assert.ok(largest < reader.size / 4, `largest read ${largest} of a ${reader.size}-byte file`);
    assert.equal(reader.closed, true, 'the reader was closed');
  });

  it('a truncated file behind a RangeReader is a CorruptInputError before decoding', async () => {
    const path = join(MEDIA, 'video.mp4');
    const reader = fileReader(path);
    const cut: RangeReader = { size: Math.floor(reader.size * 0.9), read: (s, e) => reader.read(s, Math.min(e, Math.floor(reader.size * 0.9))), close: () => reader.close() };
    await assert.rejects(openInput(cut), { name: 'CorruptInputError', message: /truncated/ });
  });
});
