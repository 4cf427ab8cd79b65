// The progress sink's event types. The sink is a plain callback: storage, transport and UI stay
// with the caller (an uploader hooks 'rung-completed').
import type { AudioOutcome } from './audio.ts';
import type { AdapterInfo, AdapterLoad } from './hardware.ts';
import type { EncodedPacketOut } from './chunks.ts';

export type ProgressEvent =
  // An engine placed the job: its home adapter, leases, and the loads the balancer decided on.
  | { type: 'job-balanced'; jobId: number; adapter: AdapterInfo; hardwareEncoder: boolean; softwareLeases: number; jobLoad: number | null; loads: AdapterLoad[] }
  // audio: null for a frame source, whose audio arrives with its frames.
  | { type: 'job-start'; totalFrames: number; rungs: Array<{ label: number; width: number; height: number }>; leases: Array<{ id: number; hardware: boolean }>; adapter: AdapterInfo; notices: string[]; audio: AudioOutcome | null }
  | { type: 'decode'; frames: number; totalFrames: number; fps: number; etaSeconds: number | null }
  | { type: 'chunk-start'; rung: number; chunk: number; leaseId: number; hardware: boolean; encoder: string; helper: boolean }
  | { type: 'chunk-done'; rung: number; chunk: number; leaseId: number; hardware: boolean; encoder: string; helper: boolean; frames: number; bytes: number; ms: number; etaSeconds: number | null }
  // qualityReport: a chunk was decoded back and compared with the frames it was encoded from.
  | { type: 'chunk-quality'; rung: number; chunk: number; psnr: number; psnrY: number; ssim: number; frames: number }
  | { type: 'helper-attached'; leaseId: number; rung: number; homeRung: number }
  | { type: 'lease-retired'; leaseId: number; reason: string }
  | { type: 'requeue'; rung: number; chunk: number; leaseId: number; reason: string }
  | { type: 'rung-completed'; rung: number; label: number; width: number; height: number; codec: string; frames: number; bytes: number; output: Uint8Array | null; files: string[]; packets: EncodedPacketOut[] }
  | { type: 'job-done'; wallMs: number; decodedFrames: number };

export type ProgressSink = (event: ProgressEvent) => void;
