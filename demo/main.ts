// Minimal demo page: pick a file, transcode it to the default ladder, list the MP4s for download.
import { transcode } from '../src/mod.ts';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const status = $<HTMLParagraphElement>('status');
const bar = $<HTMLProgressElement>('bar');
const out = $<HTMLUListElement>('out');
const cancel = $<HTMLButtonElement>('cancel');
let controller: AbortController | null = null;

cancel.onclick = () => controller?.abort();

$<HTMLInputElement>('file').onchange = async (ev) => {
  const file = (ev.target as HTMLInputElement).files?.[0];
  if (!file) return;
  controller = new AbortController();
  cancel.disabled = false;
  out.textContent = '';
  status.textContent = `Transcoding ${file.name}…`;
  try {
    const result = await transcode({
      input: file,
      signal: controller.signal,
      onProgress: (e) => {
        if (e.type === 'decode') {
          bar.value = e.frames / e.totalFrames;
          status.textContent = `Decoded ${e.frames}/${e.totalFrames} frames, ${e.fps.toFixed(1)} fps, ETA ${e.etaSeconds?.toFixed(0) ?? '?'} s`;
        } else if (e.type === 'rung-completed' && e.output) {
          const li = document.createElement('li');
          const a = document.createElement('a');
          a.href = URL.createObjectURL(new Blob([e.output as Uint8Array<ArrayBuffer>], { type: 'video/mp4' }));
          a.download = `${e.label}p.mp4`;
          a.textContent = `${e.label}p.mp4 — ${e.width}x${e.height}, ${e.codec}, ${(e.bytes / 1024).toFixed(0)} KiB`;
          li.append(a);
          out.append(li);
        }
      },
    });
    status.textContent = `Done: ${result.stats.decodedFrames} frames decoded in ${(result.stats.wallMs / 1000).toFixed(1)} s`;
  } catch (err) {
    status.textContent = `Failed: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`;
  } finally {
    cancel.disabled = true;
  }
};
