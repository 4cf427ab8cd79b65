// The distributed stage's pure parts (src/distributed/), no NATS and no Deno: the protocol's names,
// job ids, the chunk blob both ways and its truncation errors, segment planning from a synthetic
// packet index (boundaries, pre-roll from the key frame before, renumbered empty slices), and
// checkRung's contract vote over fake stored chunks with hand-written sequence headers.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkRung } from '../../src/distributed/finalize.ts';
import type { StoredChunk } from '../../src/distributed/finalize.ts';
import {
  ChunkBlobError, chunkBucket, chunkKey, chunkObject, decodeChunkBlob, encodeChunkBlob, isJobId, workSubject,
} from '../../src/distributed/protocol.ts';
import type { ChunkMeta } from '../../src/distributed/protocol.ts';
import { planSegments } from '../../src/distributed/segments.ts';
import type { IndexedPacket } from '../../src/distributed/segments.ts';
import type { EncodedPacketOut } from '../../src/types/mod.ts';
import { deltaTemporalUnit, keyTemporalUnit, sequenceHeaderObu } from '../lib/av1-obus.ts';
import type { SeqHeaderFields } from '../lib/av1-obus.ts';

const meta = (over: Partial<ChunkMeta> = {}): ChunkMeta => ({
  rung: 1, index: 4, worker: 'w1', encodeId: 'e-1', encoder: 'svt', hardware: false, frames: 2, bytes: 7,
  seconds: 0.08, targetBitrate: 1_000_000, aimBitrate: 990_000, quantizer: null, attempts: 1, delivery: 1, ...over,
});

describe('protocol names', () => {
  it('bucket, subject, KV key and object name formats', () => {
    assert.equal(chunkBucket('job1'), 'ladder-job1');
    assert.equal(workSubject('job1'), 'ladder.work.job1');
    assert.equal(chunkKey('job1', 2, 17), 'job1.chunk.2.17');
    assert.equal(chunkObject(2, 17), 'chunk-2-17');
  });

  it('job ids: 1 to 64 letters, digits, _ and -', () => {
    for (const ok of ['a', 'Job_2024-01', '0', 'x'.repeat(64)]) assert.equal(isJobId(ok), true, ok);
    for (const bad of ['', 'x'.repeat(65), 'a.b', 'a b', 'a*', 'a>', 'é', 'a/b', 'a\n']) assert.equal(isJobId(bad), false, JSON.stringify(bad));
  });
});

describe('chunk blobs', () => {
  const packets: EncodedPacketOut[] = [
    { data: Uint8Array.from([1, 2, 3, 4]), timestamp: 0, duration: 40_000, key: true },
    { data: new Uint8Array(0), timestamp: 40_000, duration: 40_000, key: false },
    { data: Uint8Array.from([9, 8, 7]), timestamp: 80_000, duration: 40_001, key: false },
  ];

  it('layout: big-endian header length, the JSON header, then the packet bytes in order', () => {
    const blob = encodeChunkBlob(meta(), packets);
    const len = new DataView(blob.buffer).getUint32(0);
    const head = JSON.parse(new TextDecoder().decode(blob.subarray(4, 4 + len))) as unknown;
    assert.deepEqual(head, {
      meta: meta(),
      packets: [{ t: 0, d: 40_000, k: true, n: 4 }, { t: 40_000, d: 40_000, k: false, n: 0 }, { t: 80_000, d: 40_001, k: false, n: 3 }],
    });
    assert.equal(blob.length, 4 + len + 7);
    assert.deepEqual(blob.subarray(4 + len), Uint8Array.from([1, 2, 3, 4, 9, 8, 7]));
  });

  it('round trip, also from a view at an offset, with copies of the packet data', () => {
    const blob = encodeChunkBlob(meta({ quantizer: 35, hardware: true }), packets);
    const framed = new Uint8Array(blob.length + 10);
    framed.set(blob, 5);
    const view = framed.subarray(5, 5 + blob.length);
    const back = decodeChunkBlob(view);
    assert.deepEqual(back.meta, meta({ quantizer: 35, hardware: true }));
    assert.deepEqual(back.packets, packets);
    view.fill(0, view.length - 3);
    assert.deepEqual(back.packets[2]!.data, Uint8Array.from([9, 8, 7]), 'decoded data does not alias the blob');
  });

  it('an empty chunk round-trips', () => {
    assert.deepEqual(decodeChunkBlob(encodeChunkBlob(meta({ frames: 0 }), [])), { meta: meta({ frames: 0 }), packets: [] });
  });

  it('truncation anywhere is a ChunkBlobError: no length, header cut, packet data cut', () => {
    const blob = encodeChunkBlob(meta(), packets);
    const len = new DataView(blob.buffer).getUint32(0);
    assert.throws(() => decodeChunkBlob(blob.subarray(0, 3)), (e: unknown) => e instanceof ChunkBlobError && e.name === 'ChunkBlobError' && /shorter than its header length/.test(e.message));
    assert.throws(() => decodeChunkBlob(blob.subarray(0, 4 + len - 1)), /header runs past the end/);
    assert.throws(() => decodeChunkBlob(blob.subarray(0, blob.length - 1)), (e: unknown) => e instanceof ChunkBlobError && /rung 1 chunk 4: packet data runs past the end/.test(e.message));
    assert.throws(() => decodeChunkBlob(blob.subarray(0, 4 + len)), ChunkBlobError);
  });

  it('a header that is not JSON, or bytes after the last packet: a ChunkBlobError', () => {
    const blob = encodeChunkBlob(meta(), packets);
    blob[4] = 0x7b ^ 0xff; // the header's opening brace
    assert.throws(() => decodeChunkBlob(blob), (e: unknown) => e instanceof ChunkBlobError && /^Cannot read chunk blob: its header is not JSON/.test(e.message));
    const good = encodeChunkBlob(meta(), packets);
    const longer = new Uint8Array(good.length + 2);
    longer.set(good);
    assert.throws(() => decodeChunkBlob(longer), (e: unknown) => e instanceof ChunkBlobError && e.message === 'Cannot read chunk blob of rung 1 chunk 4: 2 bytes follow its last packet');
  });
});

describe('planSegments', () => {
  // 25 fps: a frame every 40 ms.
  const frames = (n: number, keys: number[], t0 = 0): IndexedPacket[] =>
    Array.from({ length: n }, (_, i) => ({ key: keys.includes(i), timestamp: t0 + i * 40_000, duration: 40_000 }));

  it('key frames on the chunk boundaries: no pre-roll', () => {
    assert.deepEqual(planSegments(frames(10, [0, 5]), 0.2, 25, null), [
      { index: 0, startUs: 0, endUs: 200_000, frames: 5, preroll: 0 },
      { index: 1, startUs: 200_000, endUs: null, frames: 5, preroll: 0 },
    ]);
  });

  it('a segment between key frames is decoded from the key frame before it', () => {
    const s = planSegments(frames(15, [0, 3]), 0.2, 25, null);
    assert.deepEqual(s.map((x) => [x.startUs, x.endUs, x.frames, x.preroll]), [
      [0, 200_000, 5, 0],
      [200_000, 400_000, 5, 2], // frames at 120 and 160 ms, from the key at 120 ms
      [400_000, null, 5, 7], // frames 3..9 come before 400 ms
    ]);
  });

  it('times count from the first frame; starts stay source times; decode order does not matter', () => {
    const index = frames(6, [0, 3], 1_000_000);
    const shuffled = [index[0]!, index[3]!, index[1]!, index[2]!, index[5]!, index[4]!];
    assert.deepEqual(planSegments(shuffled, 0.12, 25, 90_000), [
      { index: 0, startUs: 1_000_000, endUs: 1_120_000, frames: 3, preroll: 0 },
      { index: 1, startUs: 1_120_000, endUs: null, frames: 3, preroll: 0 },
    ]);
  });

  it('a frame within a microsecond of a boundary starts the next segment', () => {
    const index = [0, 100_000, 199_999, 240_000].map((timestamp, i) => ({ key: i === 0, timestamp, duration: 40_000 }));
    assert.deepEqual(planSegments(index, 0.2, 25, null).map((s) => [s.startUs, s.frames]), [[0, 2], [199_999, 2]]);
  });

  it('a gap over a whole slice leaves no empty segment: indexes stay consecutive', () => {
    const index = [0, 40_000, 500_000, 540_000].map((timestamp, i) => ({ key: i % 2 === 0, timestamp, duration: 40_000 }));
    assert.deepEqual(planSegments(index, 0.2, 25, null), [
      { index: 0, startUs: 0, endUs: 500_000, frames: 2, preroll: 0 },
      { index: 1, startUs: 500_000, endUs: null, frames: 2, preroll: 0 },
    ]);
  });

  it('one segment when the source is shorter than a chunk; an empty index is refused', () => {
    assert.deepEqual(planSegments(frames(3, [0]), 2, 25, null), [{ index: 0, startUs: 0, endUs: null, frames: 3, preroll: 0 }]);
    assert.throws(() => planSegments([], 2, 25, null), /no video packets/);
  });
});

describe('checkRung', () => {
  const base: SeqHeaderFields = { width: 640, height: 360, level: 1 };
  const chunk = (index: number, fields: SeqHeaderFields = base, over: Partial<ChunkMeta> = {}, key = true): StoredChunk => ({
    meta: meta({ rung: 0, index, worker: `w${index}`, encodeId: `e${index}`, ...over }),
    packets: [
      { data: key ? keyTemporalUnit(fields) : deltaTemporalUnit(), timestamp: index * 80_000, duration: 40_000, key },
      { data: deltaTemporalUnit(), timestamp: index * 80_000 + 40_000, duration: 40_000, key: false },
    ],
  });

  it('chunks that agree: accepted with their contract, the sized sequence header OBU and records', () => {
    const chunks = [chunk(0), chunk(1, base, { delivery: 3, quantizer: 30 })];
    const { accepted, rejected } = checkRung(0, chunks);
    assert.deepEqual(rejected, []);
    assert.ok(accepted);
    assert.equal(accepted.rung, 0);
    assert.deepEqual(accepted.contract, {
      profile: 0, level: 1, tier: 0, bitDepth: 8, monochrome: false, subsamplingX: 1, subsamplingY: 1,
      chromaSamplePosition: 0, colorPrimaries: 2, transferCharacteristics: 2, matrixCoefficients: 2, colorRange: 0,
    });
    assert.deepEqual(accepted.sequenceHeaderObu, sequenceHeaderObu(base));
    assert.equal(accepted.chunks[1]!.output.packets, chunks[1]!.packets);
    assert.deepEqual(accepted.chunks[1]!.record, {
      index: 1, frames: 2, leaseId: 0, helper: false, hardware: false, encoder: 'svt', attempts: 1, bytes: 7,
      targetBitrate: 1_000_000, aimBitrate: 990_000, quantizer: 30, seconds: 0.08, worker: 'w1', encodeId: 'e1', delivery: 3,
    });
  });

  it('a chunk without a key frame and sequence header is rejected, and then no rung is accepted', () => {
    const { accepted, rejected } = checkRung(2, [chunk(0), chunk(1, base, {}, false)]);
    assert.equal(accepted, null);
    assert.deepEqual(rejected.map((r) => r.reason), ['rung 2 chunk 1: first packet is not a key frame with a sequence header']);
  });

  it('fields the engine always declares (8-bit 4:2:0 Main) are checked against the declaration', () => {
    const { rejected } = checkRung(0, [chunk(0), chunk(1, { ...base, bitDepth: 10 }), chunk(2, { ...base, mono: true })]);
    assert.deepEqual(rejected.map((r) => r.reason), [
      'rung 0 chunk 1: sequence header bitDepth is 10, the engine declares 8',
      'rung 0 chunk 2: sequence header monochrome is true, the engine declares false',
    ]);
  });

  it('the contract most chunks share wins; the others are rejected with the field named', () => {
    const l4 = { ...base, level: 4 };
    const { accepted, rejected } = checkRung(0, [chunk(0, l4), chunk(1), chunk(2), chunk(3, l4), chunk(4)]);
    assert.equal(accepted, null);
    assert.deepEqual(rejected.map((r) => [r.chunk.meta.index, r.reason]), [
      [0, 'rung 0 chunk 0 from worker w0: sequence header level is 4, the rung\'s contract says 1'],
      [3, 'rung 0 chunk 3 from worker w3: sequence header level is 4, the rung\'s contract says 1'],
    ]);
  });

  it('a tie goes to the earliest chunk’s contract', () => {
    const full = { ...base, colour: [1, 1, 1] as [number, number, number], range: 1 as const };
    const { rejected } = checkRung(0, [chunk(0, full), chunk(1), chunk(2), chunk(3, full)]);
    assert.deepEqual(rejected.map((r) => [r.chunk.meta.index, r.reason.replace(/.*header /, '')]), [
      [1, 'colorPrimaries is 2, the rung\'s contract says 1'],
      [2, 'colorPrimaries is 2, the rung\'s contract says 1'],
    ]);
  });

  it('nothing valid: no contract, every chunk rejected; no chunks: nothing at all', () => {
    const none = checkRung(0, [chunk(0, base, {}, false), chunk(1, { ...base, profile: 1 })]);
    assert.equal(none.accepted, null);
    assert.deepEqual(none.rejected.map((r) => r.reason), [
      'rung 0 chunk 0: first packet is not a key frame with a sequence header',
      'rung 0 chunk 1: sequence header profile is 1, the engine declares 0',
    ]);
    assert.deepEqual(checkRung(0, []), { accepted: null, rejected: [] });
  });
});
