// Plays an HLS output with hls.js (from npm) in headless Chromium, served from a local server:
// the independent player the HLS tests check against.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright';
import { ROOT, launchChromium, serve } from '../../tools/harness.ts';
import { tempDir } from './cli.ts';

export interface Playback {
  currentTime: number; levels: number; switched: number[]; fatal: string[]; pageErrors: string[];
  /** hls.js's audio tracks (the master's audio renditions). */
  audioTracks: number;
  /** Seconds of audio that MSE accepted into the audio SourceBuffer (0 when there is none). */
  audioBuffered: number;
}

const PAGE = `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,">
<video id="v" muted playsinline></video><script src="/vendor/hls.min.js"></script>
<script>
window.play = (url, minSeconds) => new Promise((resolve) => {
  const v = document.getElementById('v'); const fatal = []; const switched = new Set();
  const hls = new Hls(); hls.on(Hls.Events.ERROR, (_, d) => { if (d.fatal) fatal.push(d.type + ':' + d.details); });
  let audioBuffer = null;
  hls.on(Hls.Events.BUFFER_CREATED, (_, d) => { audioBuffer = d.tracks.audio?.buffer ?? audioBuffer; });
  const audioBuffered = () => { try { const b = audioBuffer?.buffered; return b && b.length ? b.end(b.length - 1) : 0; } catch { return 0; } };
  hls.on(Hls.Events.LEVEL_SWITCHED, (_, d) => switched.add(d.level));
  hls.loadSource(url); hls.attachMedia(v);
  hls.on(Hls.Events.MANIFEST_PARSED, async () => {
    v.playbackRate = 0.5; v.play().catch((e) => fatal.push('play:' + e));
    for (let i = 0; i < hls.levels.length; i++) {
      hls.currentLevel = i;
      const t0 = performance.now();
      while (!switched.has(i) && performance.now() - t0 < 20000 && fatal.length === 0) await new Promise((r) => setTimeout(r, 50));
    }
    v.playbackRate = 1;
    const t0 = performance.now();
    while (v.currentTime <= minSeconds && !v.ended && performance.now() - t0 < 60000 && fatal.length === 0) await new Promise((r) => setTimeout(r, 100));
    resolve({ currentTime: v.currentTime, levels: hls.levels.length, switched: [...switched], fatal, audioTracks: hls.audioTracks.length, audioBuffered: audioBuffered() });
  });
});
</script>`;

/**
 * Plays `outDir/master.m3u8`, switching to every level in turn, until currentTime passes
 * `minSeconds`. A browser given is reused (and left open); else one is launched for the call.
 */
export async function playHls(outDir: string, minSeconds: number, shared?: Browser): Promise<Playback> {
  const page = tempDir('hls-player');
  mkdirSync(page, { recursive: true });
  writeFileSync(join(page, 'index.html'), PAGE);
  const served = await serve({ mounts: { '/player/': page, '/hls/': outDir, '/vendor/': join(ROOT, 'node_modules/hls.js/dist') } });
  const browser = shared ?? await launchChromium();
  try {
    const p = await browser.newPage();
    const pageErrors: string[] = [];
    p.on('pageerror', (e) => pageErrors.push(String(e)));
    await p.goto(`${served.origin}/player/index.html`);
    const r = await p.evaluate(([url, min]) => (window as unknown as { play(u: string, m: number): Promise<Omit<Playback, 'pageErrors'>> }).play(url, min), [`${served.origin}/hls/master.m3u8`, minSeconds] as const);
    await p.close();
    return { ...r, pageErrors };
  } finally {
    if (!shared) await browser.close();
    await served.close();
  }
}
