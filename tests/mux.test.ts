// The MP4 mux stage on a real AV1 stream from ffmpeg (libaom): our file must carry ffmpeg's exact
// av1C and packets (framemd5 of the stream copy), decode frame-exact with libdav1d, and the av1C
// patch must keep every sample offset right whether moov comes before or after mdat.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { ArrayBufferTarget, Muxer } from 'mp4-muxer';
import { BitstreamError } from '../src/errors.ts';
import { replaceAv1C } from '../src/mux/av1c-patch.ts';
import { findPaths } from '../src/mux/boxes.ts';
import { createMp4Writer, withoutTemporalDelimiters } from '../src/mux/mp4.ts';
import { tempDir } from './lib/cli.ts';
import { dav1dFrameCount, ffprobe } from './lib/media.ts';

const dir = tempDir('mux');
const FRAMES = 50;
const FRAME_US = 40_000;

function av1cOf(file: Uint8Array): Uint8Array {
  const chain = findPaths(file, ['moov', 'trak', 'mdia', 'minf', 'stbl', 'stsd', 'av01', 'av1C'])[0];
  assert.ok(chain, 'an av1C box');
  const box = chain[chain.length - 1]!;
  return file.slice(box.start + box.header, box.end);
}

/** Packet hashes of the video stream, as ffmpeg reads them (stream copy). */
function packetHashes(file: string): string[] {
  const r = spawnSync('ffmpeg', ['-v', 'error', '-i', file, '-map', '0:v:0', '-c', 'copy', '-f', 'framemd5', '-'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(',').pop()!.trim());
}

describe('MP4 mux with the av1C patch', () => {
  let units: Uint8Array[] = [];
  let keys: boolean[] = [];
  let refAv1c: Uint8Array;
  const ref = join(dir, 'ref.mp4');

  before(() => {
    const ivf = join(dir, 'a.ivf');
    const src = ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25', '-frames:v', String(FRAMES), '-c:v', 'libaom-av1', '-usage', 'realtime', '-cpu-used', '8', '-g', '25'];
    execFileSync('ffmpeg', [...src, '-f', 'ivf', ivf]);
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', ivf, '-c', 'copy', ref]);
    const buf = readFileSync(ivf);
    for (let p = 32; p + 12 <= buf.length;) {
      const size = buf.readUInt32LE(p);
      units.push(new Uint8Array(buf.subarray(p + 12, p + 12 + size)));
      p += 12 + size;
    }
    const pkt = spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'packet=flags', '-of', 'csv=p=0', ref], { encoding: 'utf8' });
    keys = pkt.stdout.trim().split('\n').map((f) => f.startsWith('K'));
    refAv1c = av1cOf(new Uint8Array(readFileSync(ref)));
    assert.equal(units.length, FRAMES);
  });

  it('a fast-start file carries ffmpeg\'s av1C and packets, and decodes frame-exact', () => {
    const w = createMp4Writer({ width: 640, height: 360, colorSpace: { primaries: 'bt709', transfer: 'bt709', matrix: 'bt709', fullRange: false } });
    units.forEach((u, i) => w.addVideo(u, i * FRAME_US, FRAME_US, keys[i]!));
    const out = w.finalize(refAv1c);
    const file = join(dir, 'ours.mp4');
    writeFileSync(file, out);
    assert.deepEqual(Array.from(av1cOf(out)), Array.from(refAv1c), 'byte-identical av1C');
    const v = ffprobe(file).streams[0]!;
    assert.deepEqual([v.codec_name, v.profile, v.width, v.height, v.nb_frames], ['av1', 'Main', 640, 360, String(FRAMES)]);
    assert.deepEqual(packetHashes(file), packetHashes(ref), 'same packets: chunk offsets moved with the grown box');
    assert.equal(dav1dFrameCount(file), FRAMES);
  });

  it('moov after mdat: the patch grows boxes and leaves chunk offsets alone', () => {
    const target = new ArrayBufferTarget();
    const m = new Muxer({ target, video: { codec: 'av1', width: 640, height: 360 }, fastStart: false });
    const meta = { decoderConfig: { codec: 'av01', codedWidth: 640, codedHeight: 360 } };
    units.forEach((u, i) => m.addVideoChunkRaw(withoutTemporalDelimiters(u), keys[i] ? 'key' : 'delta', i * FRAME_US, FRAME_US, i === 0 ? meta : undefined));
    m.finalize();
    const plain = new Uint8Array(target.buffer);
    const out = replaceAv1C(plain, refAv1c);
    assert.equal(out.length, plain.length + refAv1c.length - 4);
    const file = join(dir, 'moov-last.mp4');
    writeFileSync(file, out);
    assert.deepEqual(Array.from(av1cOf(out)), Array.from(refAv1c));
    assert.deepEqual(packetHashes(file), packetHashes(ref));
    assert.equal(dav1dFrameCount(file), FRAMES);
  });

  it('a payload of the same size changes only the payload bytes', () => {
    const w = createMp4Writer({ width: 640, height: 360 });
    units.forEach((u, i) => w.addVideo(u, i * FRAME_US, FRAME_US, keys[i]!));
    const once = w.finalize(refAv1c);
    const again = replaceAv1C(once, refAv1c.map((b, i) => (i < 4 ? b : b ^ 0)));
    assert.deepEqual(Array.from(again), Array.from(once));
  });

  it('a file with no av01 sample entry is refused with BitstreamError', () => {
    const notAv1 = readFileSync(new URL('../../shared/media/sar_2x1.mp4', import.meta.url));
    assert.throws(() => replaceAv1C(new Uint8Array(notAv1), refAv1c), BitstreamError);
  });
});
