// The results panel: plays the ladder (HLS through hls.js or DASH through dash.js, with a level
// selector; 'cmaf' output offers both players over its one set of segments; or the MP4s in a
// <video>), shows per-rung stats, and saves every file as a zip or into a folder the user picks.
import Hls from 'hls.js';
import { MediaPlayer } from 'dashjs';
import type { MediaPlayerClass } from 'dashjs';
import { zipSync } from 'fflate';
import type { OutputFormat, TranscodeResult } from '../src/mod.ts';
import { dashBlobManifest } from './dash-source.ts';
import { formatBytes, formatDb, formatRate } from './ui.ts';

const TYPES: Record<string, string> = { m3u8: 'application/vnd.apple.mpegurl', m4s: 'video/iso.segment', mp4: 'video/mp4', mpd: 'application/dash+xml' };

function blobUrl(path: string, bytes: Uint8Array | string): string {
  return URL.createObjectURL(new Blob([bytes as BlobPart], { type: TYPES[path.split('.').pop() ?? ''] ?? 'application/octet-stream' }));
}

function dirOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i + 1);
}

/** Resolves a playlist's relative URI ("seg-1.m4s", "../audio/init.mp4") against its folder. */
function resolvePath(dir: string, uri: string): string {
  const parts = (dir + uri).split('/');
  const out: string[] = [];
  for (const p of parts) {
    if (p === '..') out.pop();
    else if (p !== '.') out.push(p);
  }
  return out.join('/');
}

/**
 * Blob URLs for an HLS output held in memory: every playlist is rewritten so that its URIs are the
 * blob URLs of the files it names (segments first, then media playlists, then the master).
 */
function hlsBlobUrls(files: Map<string, Uint8Array>): { master: string; urls: string[] } {
  const urls = new Map<string, string>();
  const make = (path: string, bytes: Uint8Array | string) => { urls.set(path, blobUrl(path, bytes)); };
  const rewrite = (path: string) => {
    const dir = dirOf(path);
    const text = new TextDecoder().decode(files.get(path));
    const swap = (uri: string) => urls.get(resolvePath(dir, uri)) ?? uri;
    return text.split('\n').map((line) => {
      if (line && !line.startsWith('#')) return swap(line.trim());
      return line.replace(/URI="([^"]+)"/g, (_, uri: string) => `URI="${swap(uri)}"`);
    }).join('\n');
  };
  const playlists = [...files.keys()].filter((p) => p.endsWith('.m3u8'));
  for (const [path, bytes] of files) if (/\.(mp4|m4s)$/.test(path)) make(path, bytes);
  for (const path of playlists) if (path !== 'master.m3u8') make(path, rewrite(path));
  make('master.m3u8', rewrite('master.m3u8'));
  return { master: urls.get('master.m3u8')!, urls: [...urls.values()] };
}

/** Blob URLs for a DASH output held in memory: the segments, and manifest.mpd rewritten to name them. */
function dashBlobUrls(files: Map<string, Uint8Array>): { mpd: string; urls: string[] } {
  const urls = new Map<string, string>();
  for (const [path, bytes] of files) if (/\.(mp4|m4s)$/.test(path)) urls.set(path, blobUrl(path, bytes));
  const text = dashBlobManifest(files, 'manifest.mpd', (p) => {
    const url = urls.get(p);
    if (!url) throw new Error(`manifest.mpd names ${p}, which the job did not write`);
    return url;
  });
  const mpd = blobUrl('manifest.mpd', text);
  return { mpd, urls: [...urls.values(), mpd] };
}

export class ResultsPanel {
  #hls: Hls | null = null;
  #dash: MediaPlayerClass | null = null;
  #format: OutputFormat = 'mp4';
  #result: TranscodeResult | null = null;
  #urls: string[] = [];
  #files = new Map<string, Uint8Array>();
  readonly #video: HTMLVideoElement;
  readonly #level: HTMLSelectElement;
  readonly #engine: HTMLSelectElement;
  readonly #info: HTMLElement;
  readonly #onError: (message: string) => void;

  constructor(readonly root: HTMLElement, onError: (message: string) => void) {
    this.#video = root.querySelector<HTMLVideoElement>('#player')!;
    this.#level = root.querySelector<HTMLSelectElement>('#level')!;
    this.#engine = root.querySelector<HTMLSelectElement>('#player-engine')!;
    this.#engine.onchange = () => this.#play();
    this.#info = root.querySelector<HTMLElement>('#player-info')!;
    this.#onError = onError;
    root.querySelector<HTMLButtonElement>('#zip')!.onclick = () => this.#downloadZip();
    const saveDir = root.querySelector<HTMLButtonElement>('#save-dir')!;
    saveDir.hidden = !('showDirectoryPicker' in window);
    saveDir.onclick = () => { this.#saveToFolder().catch((err: unknown) => this.#saved(err instanceof Error && err.name === 'AbortError' ? 'Not saved.' : `Could not save: ${String(err)}`)); };
  }

  /** Forgets the previous job's player and blob URLs. */
  clear(): void {
    this.#stop();
    this.#files = new Map();
    this.#result = null;
    this.root.hidden = true;
  }

  #stop(): void {
    this.#hls?.destroy();
    this.#hls = null;
    this.#dash?.destroy();
    this.#dash = null;
    this.#video.removeAttribute('src');
    this.#video.load();
    for (const u of this.#urls.splice(0)) URL.revokeObjectURL(u);
  }

  show(result: TranscodeResult, files: Map<string, Uint8Array>, format: OutputFormat): void {
    this.clear();
    this.#files = files;
    this.#result = result;
    this.#format = format;
    this.root.hidden = false;
    this.#stats(result);
    // 'cmaf' wrote both manifests over one set of segments: either player can play them.
    this.#engine.parentElement!.hidden = format !== 'cmaf';
    this.#play();
  }

  #play(): void {
    this.#stop();
    const f = this.#format;
    if (f === 'hls' || (f === 'cmaf' && this.#engine.value === 'hls')) this.#playHls();
    else if (f === 'dash' || f === 'cmaf') this.#playDash();
    else this.#playMp4(this.#result!);
  }

  #stats(result: TranscodeResult): void {
    const seconds = result.source.frameRate > 0 ? (result.rungs[0]?.frames ?? 0) / result.source.frameRate : 0;
    const body = this.root.querySelector('#stats')!;
    body.textContent = '';
    for (const r of result.rungs) {
      const hw = r.chunks.filter((c) => c.hardware).length;
      const encoders = [...new Set(r.chunks.map((c) => c.encoder))].join(', ');
      const kind = hw === 0 ? 'software' : hw === r.chunks.length ? 'hardware' : `hardware ${hw}/${r.chunks.length} chunks`;
      const helpers = r.chunks.filter((c) => c.helper).length;
      const row = document.createElement('tr');
      for (const text of [
        `${r.label}p`, `${r.width}x${r.height}`, r.codec, formatBytes(r.bytes),
        `${seconds > 0 ? formatRate((r.bytes * 8) / seconds) : '?'} (${formatRate(r.bitrate)})`,
        `${kind} (${encoders}); ${r.chunks.length} chunks${helpers ? `, ${helpers} by helpers` : ''}`,
        r.quality ? `${formatDb(r.quality.psnr)} · ${formatDb(r.quality.psnrY)} · ${r.quality.ssim.toFixed(4)} (${r.quality.frames} frames)` : 'not measured',
      ]) row.insertCell().textContent = text;
      body.append(row);
    }
    const s = result.stats;
    this.root.querySelector('#totals')!.textContent =
      `${s.decodedFrames} frames decoded once, ${s.encodedFrames} encoded in ${s.chunks} chunks (${s.hardwareChunks} hardware, ${s.softwareChunks} software, ${s.requeued} requeued) in ${(s.wallMs / 1000).toFixed(1)} s.`;
  }

  #options(labels: string[], auto: boolean): void {
    this.#level.textContent = '';
    if (auto) this.#level.append(new Option('Auto (ABR)', '-1'));
    labels.forEach((l, i) => this.#level.append(new Option(l, String(i))));
  }

  #playHls(): void {
    const { master, urls } = hlsBlobUrls(this.#files);
    this.#urls.push(...urls);
    if (!Hls.isSupported()) {
      this.#info.textContent = 'hls.js cannot play here (no Media Source Extensions); download the files instead.';
      return;
    }
    const hls = new Hls({ enableWorker: false });
    this.#hls = hls;
    hls.on(Hls.Events.ERROR, (_e, data) => {
      if (data.fatal) this.#onError(`The player stopped: ${data.type} (${data.details}).`);
    });
    hls.on(Hls.Events.MANIFEST_PARSED, () => {
      this.#options(hls.levels.map((l) => `${l.height}p, ${formatRate(l.bitrate)}`), true);
      this.#video.play().catch(() => { /* autoplay refused: the controls remain */ });
    });
    hls.on(Hls.Events.LEVEL_SWITCHED, (_e, data) => {
      const l = hls.levels[data.level];
      this.#info.textContent = l ? `playing ${l.height}p` : '';
    });
    this.#level.onchange = () => { hls.currentLevel = Number(this.#level.value); };
    hls.loadSource(master);
    hls.attachMedia(this.#video);
  }

  #playDash(): void {
    const { mpd, urls } = dashBlobUrls(this.#files);
    this.#urls.push(...urls);
    if (!('MediaSource' in window)) {
      this.#info.textContent = 'dash.js cannot play here (no Media Source Extensions); download the files instead.';
      return;
    }
    const player = MediaPlayer().create();
    this.#dash = player;
    const E = MediaPlayer.events;
    player.on(E.ERROR, (e) => this.#onError(`The player stopped: ${JSON.stringify((e as { error?: unknown }).error ?? e)}.`));
    player.on(E.STREAM_INITIALIZED, () => {
      const reps = player.getRepresentationsByType('video');
      this.#options(reps.map((r) => `${r.height}p, ${formatRate(r.bandwidth)}`), true);
      this.#level.onchange = () => {
        const i = Number(this.#level.value);
        player.updateSettings({ streaming: { abr: { autoSwitchBitrate: { video: i < 0 } } } });
        if (i >= 0) player.setRepresentationForTypeByIndex('video', i, true);
      };
    });
    player.on(E.QUALITY_CHANGE_RENDERED, (e) => {
      if (e.mediaType === 'video') this.#info.textContent = `playing ${e.newRepresentation.height}p (DASH)`;
    });
    player.initialize(this.#video, mpd, true);
  }

  #playMp4(result: TranscodeResult): void {
    const sources = result.rungs.map((r) => {
      const url = URL.createObjectURL(new Blob([r.output as Uint8Array<ArrayBuffer>], { type: 'video/mp4' }));
      this.#urls.push(url);
      return url;
    });
    this.#options(result.rungs.map((r) => `${r.label}p (${r.width}x${r.height})`), false);
    const load = (i: number) => {
      const at = this.#video.currentTime;
      this.#video.src = sources[i]!;
      this.#video.currentTime = at;
      this.#info.textContent = `playing ${result.rungs[i]!.label}p.mp4`;
      this.#video.play().catch(() => {});
    };
    this.#level.onchange = () => load(Number(this.#level.value));
    if (sources.length > 0) load(0);
  }

  #downloadZip(): void {
    const entries: Record<string, Uint8Array> = {};
    for (const [path, bytes] of this.#files) entries[path] = bytes;
    // Stored, not deflated: AV1 and AAC do not compress further.
    const zip = zipSync(entries, { level: 0 });
    const url = URL.createObjectURL(new Blob([zip as Uint8Array<ArrayBuffer>], { type: 'application/zip' }));
    const a = Object.assign(document.createElement('a'), { href: url, download: 'ladder.zip' });
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
    this.#saved(`ladder.zip: ${this.#files.size} files, ${formatBytes(zip.byteLength)}.`);
  }

  async #saveToFolder(): Promise<void> {
    const picker = (window as unknown as { showDirectoryPicker(o: { mode: 'readwrite' }): Promise<FileSystemDirectoryHandle> }).showDirectoryPicker;
    const root = await picker({ mode: 'readwrite' });
    for (const [path, bytes] of this.#files) {
      const parts = path.split('/');
      let dir = root;
      for (const p of parts.slice(0, -1)) dir = await dir.getDirectoryHandle(p, { create: true });
      const handle = await dir.getFileHandle(parts.at(-1)!, { create: true });
      const w = await handle.createWritable();
      await w.write(bytes as Uint8Array<ArrayBuffer>);
      await w.close();
    }
    this.#saved(`Saved ${this.#files.size} files to ${root.name}/.`);
  }

  #saved(text: string): void {
    this.root.querySelector('#save-status')!.textContent = text;
  }
}
