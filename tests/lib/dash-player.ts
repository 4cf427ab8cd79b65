// Plays a DASH output with dash.js (from npm) in headless Chromium, served from a local server:
// the independent player the DASH tests check against. Also parses MPD text with Chromium's
// DOMParser, a parser nobody here wrote.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, launchChromium, serve } from '../../tools/harness.ts';
import { tempDir } from './cli.ts';

export interface XmlNode { name: string; attrs: Record<string, string>; children: XmlNode[] }

export interface DashPlayback {
  currentTime: number;
  /** Video Representation ids dash.js offers. */
  representations: string[];
  /** Video Representation ids a QUALITY_CHANGE_RENDERED event reported, in order. */
  rendered: string[];
  errors: string[];
  pageErrors: string[];
}

const PAGE = `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,">
<video id="v" muted playsinline></video><script src="/vendor/dash.all.min.js"></script>
<script>
window.play = (url, minSeconds) => new Promise((resolve) => {
  const v = document.getElementById('v'); const errors = []; const rendered = [];
  const E = dashjs.MediaPlayer.events;
  const player = dashjs.MediaPlayer().create();
  // Levels are picked by hand below; ABR would switch on its own and muddle the check.
  player.updateSettings({ debug: { logLevel: dashjs.Debug.LOG_LEVEL_WARNING }, streaming: { abr: { autoSwitchBitrate: { video: false, audio: false } } } });
  player.on(E.ERROR, (e) => errors.push('error:' + (e.error && (e.error.code + ' ' + e.error.message) || JSON.stringify(e))));
  player.on(E.PLAYBACK_ERROR, (e) => errors.push('playback:' + String(e.error)));
  player.on(E.QUALITY_CHANGE_RENDERED, (e) => { if (e.mediaType === 'video') rendered.push(e.newRepresentation.id); });
  const wait = async (ok, ms) => { const t0 = performance.now(); while (!ok() && performance.now() - t0 < ms && errors.length === 0) await new Promise((r) => setTimeout(r, 50)); };
  player.on(E.STREAM_INITIALIZED, async () => {
    const reps = player.getRepresentationsByType('video');
    v.playbackRate = 0.5; v.play().catch((e) => errors.push('play:' + e));
    await wait(() => v.currentTime > 0.2, 20000);
    // Switch to every Representation but the one playing, then back to it, so each is rendered
    // after a switch (dash.js reports no QUALITY_CHANGE_RENDERED for the first one).
    const first = player.getCurrentRepresentationForType('video');
    const order = reps.map((r, i) => i).filter((i) => reps[i].id !== first.id).concat([reps.findIndex((r) => r.id === first.id)]);
    for (const i of order) {
      const n = rendered.length;
      player.setRepresentationForTypeByIndex('video', i, true);
      await wait(() => rendered.length > n && rendered[rendered.length - 1] === reps[i].id, 20000);
    }
    v.playbackRate = 1;
    await wait(() => v.currentTime > minSeconds || v.ended, 60000);
    resolve({ currentTime: v.currentTime, representations: reps.map((r) => r.id), rendered, errors });
    player.reset();
  });
  player.initialize(v, url, false);
});
window.parseXml = (text) => {
  const doc = new DOMParser().parseFromString(text, 'application/xml');
  const err = doc.querySelector('parsererror');
  if (err) throw new Error('not well-formed XML: ' + err.textContent);
  const walk = (el) => ({ name: el.localName, attrs: Object.fromEntries([...el.attributes].map((a) => [a.name, a.value])), children: [...el.children].map(walk) });
  return walk(doc.documentElement);
};
</script>`;

async function withPage<T>(mounts: Record<string, string>, body: (page: import('playwright').Page, origin: string) => Promise<T>): Promise<T & { pageErrors: string[] }> {
  const dir = tempDir('dash-player');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'index.html'), PAGE);
  const served = await serve({ mounts: { '/player/': dir, '/vendor/': join(ROOT, 'node_modules/dashjs/dist/modern/umd'), ...mounts } });
  const browser = await launchChromium();
  try {
    const p = await browser.newPage();
    const pageErrors: string[] = [];
    p.on('pageerror', (e) => pageErrors.push(String(e)));
    await p.goto(`${served.origin}/player/index.html`);
    return { ...(await body(p, served.origin)), pageErrors };
  } finally {
    await browser.close();
    await served.close();
  }
}

/** Plays `outDir/manifest.mpd`, rendering every video Representation after a switch, until currentTime passes `minSeconds`. */
export function playDash(outDir: string, minSeconds: number): Promise<DashPlayback> {
  return withPage({ '/dash/': outDir }, (p, origin) =>
    p.evaluate(([url, min]) => (window as unknown as { play(u: string, m: number): Promise<Omit<DashPlayback, 'pageErrors'>> }).play(url, min), [`${origin}/dash/manifest.mpd`, minSeconds] as const));
}

/** Parses XML texts with Chromium's DOMParser; throws on text that is not well-formed. */
export async function parseXml(texts: string[]): Promise<XmlNode[]> {
  const r = await withPage({}, async (p) => ({ nodes: await p.evaluate((ts) => ts.map((t) => (window as unknown as { parseXml(t: string): XmlNode }).parseXml(t)), texts) }));
  return r.nodes;
}
