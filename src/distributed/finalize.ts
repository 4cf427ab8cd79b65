// The finalizer's two steps. checkRung: the AV1 contract check across chunks that different
// machines and encoders made (the contract most chunks share wins, within the fields the engine
// always declares; the rest are rejected). writeOutputs: the accepted chunks through the same rung
// writers as the single-machine engine (writeMp4Rung, or CMAF segments and HLS playlists).
import { compareContract, contractFromSequenceHeader, findSequenceHeader } from '../av1/mod.ts';
import { writeCmafAudio, writeCmafRung, writeHlsMaster } from '../hls/output.ts';
import type { CmafAudio, CmafRung } from '../hls/output.ts';
import { alignAudio, writeMp4Rung } from '../mux/rung-output.ts';
import type { WrittenRung } from '../mux/rung-output.ts';
import type { AcceptedRung, AudioPassthrough, Av1Contract, ChunkOutput, ChunkRecord, EncodedPacketOut, OutputTarget } from '../types/mod.ts';
import type { ChunkMeta, JobSpec } from './protocol.ts';

const DECLARED: Partial<Av1Contract> = { profile: 0, bitDepth: 8, monochrome: false, subsamplingX: 1, subsamplingY: 1 };

export interface StoredChunk {
  meta: ChunkMeta;
  packets: EncodedPacketOut[];
}

export interface RungCheck {
  accepted: AcceptedRung | null;
  /** Chunks that break the rung's contract, with the reason. */
  rejected: Array<{ chunk: StoredChunk; reason: string }>;
}

/** Checks one rung's chunks (index order, one per segment) against one contract. */
export function checkRung(rung: number, chunks: StoredChunk[]): RungCheck {
  const rejected: RungCheck['rejected'] = [];
  const found: Array<{ chunk: StoredChunk; contract: Av1Contract; obu: Uint8Array } | null> = chunks.map((c) => {
    const first = c.packets[0];
    const sh = first?.key ? findSequenceHeader(first.data) : null;
    if (!sh) { rejected.push({ chunk: c, reason: `rung ${rung} chunk ${c.meta.index}: first packet is not a key frame with a sequence header` }); return null; }
    const contract = contractFromSequenceHeader(sh.header);
    const diff = compareContract(DECLARED, contract);
    if (diff) { rejected.push({ chunk: c, reason: `rung ${rung} chunk ${c.meta.index}: sequence header ${diff.field} is ${String(diff.actual)}, the engine declares ${String(diff.expected)}` }); return null; }
    return { chunk: c, contract, obu: sh.obu };
  });
  // The contract most chunks share; a tie goes to the earliest chunk's.
  const votes = new Map<string, { n: number; first: number }>();
  found.forEach((f, i) => {
    if (!f) return;
    const k = JSON.stringify(f.contract);
    const v = votes.get(k);
    if (v) v.n++; else votes.set(k, { n: 1, first: i });
  });
  let best: string | null = null;
  for (const [k, v] of votes) if (!best || v.n > votes.get(best)!.n || (v.n === votes.get(best)!.n && v.first < votes.get(best)!.first)) best = k;
  if (!best) return { accepted: null, rejected };
  const winner = found[votes.get(best)!.first]!;
  for (const f of found) {
    if (!f || f === winner) continue;
    const diff = compareContract(winner.contract, f.contract);
    if (diff) rejected.push({ chunk: f.chunk, reason: `rung ${rung} chunk ${f.chunk.meta.index} from worker ${f.chunk.meta.worker}: sequence header ${diff.field} is ${String(diff.actual)}, the rung's contract says ${String(diff.expected)}` });
  }
  if (rejected.length > 0) return { accepted: null, rejected };
  return {
    accepted: {
      rung, contract: winner.contract, sequenceHeaderObu: winner.obu,
      chunks: chunks.map((c) => ({ output: toOutput(c), record: toRecord(c.meta) })),
    },
    rejected,
  };
}

function toOutput(c: StoredChunk): ChunkOutput {
  return { packets: c.packets, hardware: c.meta.hardware, encoder: c.meta.encoder };
}

function toRecord(m: ChunkMeta): ChunkRecord & { worker: string; encodeId: string; delivery: number } {
  return {
    index: m.index, frames: m.frames, leaseId: 0, helper: false, hardware: m.hardware, encoder: m.encoder, attempts: m.attempts, bytes: m.bytes,
    targetBitrate: m.targetBitrate, aimBitrate: m.aimBitrate, quantizer: m.quantizer ?? null, seconds: m.seconds, worker: m.worker, encodeId: m.encodeId, delivery: m.delivery,
  };
}

export interface WrittenLadder {
  rungs: Array<{ written: WrittenRung; accepted: AcceptedRung }>;
  master: string | null;
}

/** Writes every rung (and the audio and master playlist for HLS) to `target`. */
export async function writeOutputs(spec: JobSpec, accepted: AcceptedRung[], audio: AudioPassthrough | null, target: OutputTarget): Promise<WrittenLadder> {
  const colorSpace: VideoColorSpaceInit = { ...spec.colorSpace, fullRange: false };
  const aligned = alignAudio(audio, spec.firstTimestamp);
  const manifests = { hls: spec.format === 'hls', dash: false };
  let cmafAudio: CmafAudio | null = null;
  const cmafRungs: CmafRung[] = [];
  const out: WrittenLadder['rungs'] = [];
  for (const a of accepted) {
    const plan = spec.plans[a.rung]!;
    const ctx = { plan, accepted: a, colorSpace, audio: aligned, frameRate: spec.frameRate, timescale: spec.timescale, chunkSeconds: spec.chunkSeconds };
    let written: WrittenRung;
    if (spec.format === 'hls') {
      if (aligned && !cmafAudio) {
        cmafAudio = writeCmafAudio(aligned, spec.chunkSeconds, manifests);
        for (const f of cmafAudio.files) await target.write(f.path, f.bytes);
      }
      const rung = writeCmafRung(ctx, manifests);
      cmafRungs.push(rung);
      written = rung;
    } else {
      written = writeMp4Rung(ctx);
    }
    for (const f of written.files) await target.write(f.path, f.bytes);
    out.push({ written, accepted: a });
  }
  let master: string | null = null;
  if (spec.format === 'hls') {
    const m = writeHlsMaster(cmafRungs.map((rung, i) => ({ rung, width: spec.plans[accepted[i]!.rung]!.width, height: spec.plans[accepted[i]!.rung]!.height, frameRate: spec.frameRate })), cmafAudio);
    await target.write(m.path, m.bytes);
    master = m.path;
  }
  return { rungs: out, master };
}
