// Makes a small synthetic source clip in the browser (an animated canvas encoded to H.264 in MP4),
// so the README's first command runs a real transcode without any media file at hand.
import { BufferTarget, CanvasSource, Mp4OutputFormat, Output } from 'mediabunny';

export async function makeSampleClip(opts: { seconds: number; width: number; height: number; fps?: number }): Promise<Uint8Array<ArrayBuffer>> {
  const fps = opts.fps ?? 25;
  const canvas = new OffscreenCanvas(opts.width, opts.height);
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('Cannot make sample clip: no 2D canvas context');
  const output = new Output({ format: new Mp4OutputFormat({ fastStart: 'in-memory' }), target: new BufferTarget() });
  const source = new CanvasSource(canvas, { codec: 'avc', bitrate: 8e6, keyFrameInterval: 2 });
  output.addVideoTrack(source, { frameRate: fps });
  await output.start();
  const frames = Math.round(opts.seconds * fps);
  for (let i = 0; i < frames; i++) {
    draw(ctx, opts.width, opts.height, i / fps);
    await source.add(i / fps, 1 / fps);
  }
  await output.finalize();
  const buf = output.target.buffer;
  if (!buf) throw new Error('Cannot make sample clip: muxer produced no bytes');
  return new Uint8Array(buf as ArrayBuffer);
}

function draw(ctx: OffscreenCanvasRenderingContext2D, w: number, h: number, t: number): void {
  const g = ctx.createLinearGradient(0, 0, w, h);
  g.addColorStop(0, `hsl(${(t * 40) % 360} 70% 35%)`);
  g.addColorStop(1, `hsl(${(t * 40 + 150) % 360} 70% 55%)`);
  ctx.fillStyle = g;
  ctx.fillRect(0, 0, w, h);
  for (let k = 0; k < 12; k++) {
    const x = (w / 2) + Math.cos(t * (0.7 + k * 0.13) + k) * w * 0.35;
    const y = (h / 2) + Math.sin(t * (0.9 + k * 0.11) + k * 2) * h * 0.35;
    ctx.fillStyle = `hsl(${k * 30} 80% 60%)`;
    ctx.beginPath();
    ctx.arc(x, y, Math.min(w, h) * (0.03 + 0.01 * k), 0, Math.PI * 2);
    ctx.fill();
  }
  ctx.fillStyle = '#fff';
  ctx.font = `${Math.round(h / 10)}px sans-serif`;
  ctx.fillText(`ladder-engine ${t.toFixed(2)} s`, w * 0.05, h * 0.9);
}
