// What coordinator, workers and `cancel` agree on over NATS JetStream: the names of the stream,
// consumer, KV bucket and object stores, the job spec and work item (JSON), and the chunk blob
// (binary). A leaf: it imports types only.
import type { EncodedPacketOut, RungPlan } from '../types/mod.ts';

/** The work-queue stream: one message per segment to encode, subject `ladder.work.JOB`. */
export const WORK_STREAM = 'LADDER_WORK';
export const WORK_SUBJECT = 'ladder.work';
/** One durable pull consumer that every worker shares (a work queue allows one per subject). */
export const WORK_CONSUMER = 'ladder-workers';
/** Ack wait: a worker that stops sending in-progress acks for this long loses its segment. */
export const ACK_WAIT_MS = 6_000;
/** In-progress acks are sent this often while a segment is encoded. */
export const HEARTBEAT_MS = 2_000;
/**
 * Deliveries of one work item before JetStream gives up on it (the coordinator then fails the job).
 * Every delivery counts, also one a worker hands back because it is excluded from the item or has
 * stopped taking the job (EXCLUDED_NAK_MS later), so this is sized for a busy cluster where that
 * worker is the only idle one for a while: 60 deliveries are about two minutes of handing back.
 */
export const MAX_DELIVER = 60;
/** How long an item a worker may not take waits before it is offered again. */
export const EXCLUDED_NAK_MS = 2_000;
/** Times one worker may fail one segment before it stops taking the job. */
export const WORKER_SEGMENT_FAILURES = 3;
/** KV bucket holding every job's state: `JOB.spec`, `JOB.state`, `JOB.chunk.R.I`, `JOB.failed.W`. */
export const JOBS_BUCKET = 'ladder-jobs';

/** The object store of one job's chunks (and source, when stored); destroyed by cancel. */
export function chunkBucket(job: string): string {
  return `ladder-${job}`;
}
export function workSubject(job: string): string {
  return `${WORK_SUBJECT}.${job}`;
}
export function chunkKey(job: string, rung: number, index: number): string {
  return `${job}.chunk.${rung}.${index}`;
}
export function chunkObject(rung: number, index: number): string {
  return `chunk-${rung}-${index}`;
}
export const SOURCE_OBJECT = 'source';

/** A job id: NATS subject and KV key token characters only. */
export function isJobId(s: string): boolean {
  return /^[A-Za-z0-9_-]{1,64}$/.test(s);
}

/** Where workers read the source: a path every machine sees, a URL, or the job's object store. */
export type SourceRef = { kind: 'path'; path: string } | { kind: 'url'; url: string } | { kind: 'store'; size: number };

/** One segment: the frames whose times fall in [startUs, endUs), decoded from the key frame at or before startUs. */
export interface Segment {
  index: number;
  /** Presentation time (source µs) of the segment's first frame. */
  startUs: number;
  /** Presentation time of the next segment's first frame; null for the last. */
  endUs: number | null;
  frames: number;
  /** Frames decoded before the segment's first (from the key frame), and dropped. */
  preroll: number;
}

export interface JobSpec {
  version: 1;
  job: string;
  source: SourceRef;
  /** The source's name, for messages. */
  name: string;
  format: 'mp4' | 'hls';
  chunkSeconds: number;
  plans: RungPlan[];
  frameRate: number;
  timescale: number | null;
  /** The first frame's presentation time (µs): output time 0. */
  firstTimestamp: number;
  colorSpace: VideoColorSpaceInit;
  /** Whether the source is full range (the scaler's readout needs it). */
  fullRange: boolean;
  rotation: 0 | 90 | 180 | 270;
  segments: Segment[];
  totalFrames: number;
  /** Every segment was published once (a resumed coordinator republishes when not). */
  published: boolean;
  createdAt: string;
}

export type JobState = { state: 'running' } | { state: 'cancelled'; reason: string } | { state: 'failed'; reason: string } | { state: 'done' };

/** A work item: encode `rungs` of segment `segment`; workers listed in `exclude` must leave it to others. */
export interface WorkItem {
  job: string;
  segment: number;
  rungs: number[];
  exclude: string[];
}

/** What a worker says about one encoded chunk (KV `JOB.chunk.R.I`, and the blob's header). */
export interface ChunkMeta {
  rung: number;
  index: number;
  worker: string;
  /** Unique per encode: a chunk stored before a coordinator restart keeps it. */
  encodeId: string;
  encoder: string;
  hardware: boolean;
  frames: number;
  bytes: number;
  seconds: number;
  targetBitrate: number;
  aimBitrate: number;
  /** The AV1 quantizer it was encoded at (constant quality, or a saturated rung); null for a bitrate target. */
  quantizer: number | null;
  attempts: number;
  /** JetStream delivery count of the work item that produced it (> 1: redelivered). */
  delivery: number;
}

/** A chunk blob: u32 header length, the JSON header (meta and packet times), then the packet bytes. */
export function encodeChunkBlob(meta: ChunkMeta, packets: EncodedPacketOut[]): Uint8Array {
  const header = new TextEncoder().encode(JSON.stringify({ meta, packets: packets.map((p) => ({ t: p.timestamp, d: p.duration, k: p.key, n: p.data.byteLength })) }));
  let size = 4 + header.byteLength;
  for (const p of packets) size += p.data.byteLength;
  const out = new Uint8Array(size);
  new DataView(out.buffer).setUint32(0, header.byteLength);
  out.set(header, 4);
  let at = 4 + header.byteLength;
  for (const p of packets) { out.set(p.data, at); at += p.data.byteLength; }
  return out;
}

export class ChunkBlobError extends Error {
  override name = 'ChunkBlobError';
}

export function decodeChunkBlob(blob: Uint8Array): { meta: ChunkMeta; packets: EncodedPacketOut[] } {
  if (blob.byteLength < 4) throw new ChunkBlobError('Cannot read chunk blob: shorter than its header length');
  const len = new DataView(blob.buffer, blob.byteOffset, blob.byteLength).getUint32(0);
  if (4 + len > blob.byteLength) throw new ChunkBlobError('Cannot read chunk blob: header runs past the end');
  let head: { meta: ChunkMeta; packets: Array<{ t: number; d: number; k: boolean; n: number }> };
  try {
    head = JSON.parse(new TextDecoder().decode(blob.subarray(4, 4 + len))) as typeof head;
  } catch (err) {
    throw new ChunkBlobError(`Cannot read chunk blob: its header is not JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  if (!Array.isArray(head?.packets) || typeof head.meta !== 'object' || head.meta === null) throw new ChunkBlobError('Cannot read chunk blob: its header has no meta or packet list');
  let at = 4 + len;
  const packets: EncodedPacketOut[] = head.packets.map((p) => {
    if (at + p.n > blob.byteLength) throw new ChunkBlobError(`Cannot read chunk blob of rung ${head.meta.rung} chunk ${head.meta.index}: packet data runs past the end`);
    const data = blob.slice(at, at + p.n);
    at += p.n;
    return { data, timestamp: p.t, duration: p.d, key: p.k };
  });
  if (at !== blob.byteLength) throw new ChunkBlobError(`Cannot read chunk blob of rung ${head.meta.rung} chunk ${head.meta.index}: ${blob.byteLength - at} bytes follow its last packet`);
  return { meta: head.meta, packets };
}
