// The embedding example: an animated canvas becomes VideoFrames (and a tone AudioData), which
// transcode() takes as a frame source (no file, no demuxer, no decoder) and turns into a ladder of
// MP4s shown in <video>s.
import { diagnostics, transcode } from '../src/mod.ts';
import type { FrameSource } from '../src/mod.ts';
import { describeError, parseLadder } from './ui.ts';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const canvas = $<HTMLCanvasElement>('canvas');
const status = $<HTMLParagraphElement>('status');
const bar = $<HTMLProgressElement>('bar');
const outputs = $<HTMLDivElement>('outputs');
const startButton = $<HTMLButtonElement>('start');
const cancelButton = $<HTMLButtonElement>('cancel');

/** What the last run did, for people reading the page and for the tests. */
export interface FramesReport {
  state: 'done' | 'error' | 'cancelled';
  supplied: number;
  /** Frames this page handed over that are still open: the engine must have closed every one. */
  stillOpen: number;
  /** Milliseconds from Cancel to the job settling, when cancelled. */
  settleMs?: number;
  decodedFrames?: number;
  rungs?: Array<{ label: number; width: number; height: number; frames: number; bytes: number; url: string }>;
  error?: { name: string; message: string };
  openFrames: number;
}
declare global {
  interface Window { framesReport?: FramesReport }
}

let controller: AbortController | null = null;
let abortedAt: number | null = null;
cancelButton.onclick = () => {
  abortedAt = performance.now();
  controller?.abort();
};

function draw(ctx: CanvasRenderingContext2D, w: number, h: number, t: number, n: number): void {
  ctx.fillStyle = `hsl(${(t * 50) % 360} 60% 30%)`;
  ctx.fillRect(0, 0, w, h);
  for (let k = 0; k < 8; k++) {
    ctx.fillStyle = `hsl(${k * 45} 85% 60%)`;
    ctx.beginPath();
    ctx.arc(w / 2 + Math.cos(t * (1 + k * 0.2) + k) * w * 0.35, h / 2 + Math.sin(t * (1.3 + k * 0.1) + k) * h * 0.3, h * (0.04 + 0.01 * k), 0, Math.PI * 2);
    ctx.fill();
  }
  ctx.fillStyle = '#fff';
  ctx.font = `${Math.round(h / 9)}px system-ui, sans-serif`;
  ctx.fillText(`frame ${n}`, w * 0.05, h * 0.9);
}

const RATE = 48_000;
/** `?misfit=N` hands over frame N at half size, to show (and test) the error path. */
const misfit = Number(new URLSearchParams(location.search).get('misfit') ?? -1);

/** The audio that goes with video frame i: a gliding sine, 48 kHz mono. */
function tone(i: number, fps: number): AudioData {
  const first = Math.round((i * RATE) / fps);
  const samples = new Float32Array(Math.round(((i + 1) * RATE) / fps) - first);
  for (let k = 0; k < samples.length; k++) {
    const t = (first + k) / RATE;
    samples[k] = 0.2 * Math.sin(2 * Math.PI * (440 * t + 40 * Math.sin(t * 2)));
  }
  return new AudioData({ format: 'f32', sampleRate: RATE, numberOfChannels: 1, numberOfFrames: samples.length, timestamp: Math.round((first * 1e6) / RATE), data: samples });
}

startButton.onclick = async () => {
  const seconds = Number($<HTMLInputElement>('seconds').value);
  const withAudio = $<HTMLInputElement>('audio').checked;
  const fps = Number($<HTMLInputElement>('fps').value);
  const ctx = canvas.getContext('2d');
  let ladder;
  try {
    ladder = parseLadder($<HTMLInputElement>('ladder').value);
    if (!ctx) throw new Error('This browser gives no 2D canvas context');
    if (!(seconds > 0 && fps > 0)) throw new RangeError('Seconds and frame rate must be positive numbers');
  } catch (err) {
    status.textContent = describeError(err);
    return;
  }
  const total = Math.round(seconds * fps);
  let supplied = 0;
  const given: Array<VideoFrame | AudioData> = [];
  const stillOpen = () => given.filter((f) => f.format !== null).length;
  // The caller's side of the contract: make a frame, hand it over, never touch it again.
  async function* frames(): AsyncGenerator<VideoFrame | AudioData> {
    for (let i = 0; i < total; i++) {
      draw(ctx!, canvas.width, canvas.height, i / fps, i);
      supplied++;
      const picture = i === misfit ? new OffscreenCanvas(canvas.width / 2, canvas.height / 2) : canvas;
      if (picture !== canvas) (picture as OffscreenCanvas).getContext('2d')!.fillRect(0, 0, 1, 1);
      const frame = new VideoFrame(picture, { timestamp: Math.round((i * 1e6) / fps), duration: Math.round(1e6 / fps) });
      given.push(frame);
      yield frame;
      if (withAudio) {
        const sound = tone(i, fps);
        given.push(sound);
        yield sound;
      }
    }
  }
  const source: FrameSource = { width: canvas.width, height: canvas.height, frameRate: fps, frameCount: total, frames: frames() };
  controller = new AbortController();
  abortedAt = null;
  startButton.disabled = true;
  cancelButton.disabled = false;
  outputs.textContent = '';
  delete window.framesReport;
  document.body.dataset.state = 'running';
  status.textContent = `Rendering ${total} frames and transcoding to ${ladder.map((r) => `${r.height}p`).join(', ')}…`;
  let report: FramesReport;
  try {
    const result = await transcode({
      input: source,
      ladder,
      format: 'mp4',
      signal: controller.signal,
      onProgress: (e) => {
        if (e.type === 'decode' && e.totalFrames > 0) bar.value = e.frames / e.totalFrames;
      },
    });
    const rungs = result.rungs.map((r) => {
      const url = URL.createObjectURL(new Blob([r.output as Uint8Array<ArrayBuffer>], { type: 'video/mp4' }));
      const figure = document.createElement('figure');
      const video = document.createElement('video');
      Object.assign(video, { src: url, controls: true, muted: true, loop: true });
      const caption = document.createElement('figcaption');
      const link = Object.assign(document.createElement('a'), { href: url, download: `canvas-${r.label}p.mp4`, textContent: 'download' });
      caption.append(`${r.label}p: ${r.width}x${r.height}, ${r.frames} frames, ${(r.bytes / 1024).toFixed(0)} KiB `, link);
      figure.append(video, caption);
      outputs.append(figure);
      return { label: r.label, width: r.width, height: r.height, frames: r.frames, bytes: r.bytes, url };
    });
    bar.value = 1;
    status.textContent = `Done: supplied ${supplied} frames, the engine took ${result.stats.decodedFrames}, in ${(result.stats.wallMs / 1000).toFixed(1)} s.`;
    report = { state: 'done', supplied, stillOpen: stillOpen(), decodedFrames: result.stats.decodedFrames, rungs, openFrames: diagnostics().openFrames };
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    const cancelled = e.name === 'AbortError';
    status.textContent = cancelled ? `Cancelled after ${supplied} frames.` : describeError(e);
    report = {
      state: cancelled ? 'cancelled' : 'error', supplied, stillOpen: stillOpen(), error: { name: e.name, message: e.message }, openFrames: diagnostics().openFrames,
      ...(abortedAt !== null ? { settleMs: performance.now() - abortedAt } : {}),
    };
  } finally {
    startButton.disabled = false;
    cancelButton.disabled = true;
    controller = null;
  }
  window.framesReport = report;
  document.body.dataset.state = report.state;
};
