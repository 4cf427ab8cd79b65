// Node-side driver of the browser engine: builds the harness page (cached by source mtimes),
// serves it with the input file (HTTP Range) and an upload sink, and runs jobs in headless
// Chromium through Playwright. Used by the browser CLI, the tests and the benchmarks.
import { createReadStream, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, resolve, sep } from 'node:path';
import { chromium } from 'playwright';
import type { Browser, Page } from 'playwright';
import type { EngineJobsReply, EngineJobsRequest, JobReply, JobRequest } from '../demo/harness.ts';
import type { OutputFormat } from '../src/mod.ts';

export const ROOT = resolve(import.meta.dirname, '..');
// In the repository the page is built from demo/ into dist/; the installed package (whose bin is
// this file bundled into bin/) ships it prebuilt in lib/harness/ and has no demo/ to build from.
const INSTALLED = !existsSync(join(ROOT, 'demo'));
const DIST = INSTALLED ? join(ROOT, 'lib', 'harness') : join(ROOT, 'dist');

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--enable-unsafe-webgpu',
];

function newestMtime(dir: string): number {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p);
    newest = Math.max(newest, st.isDirectory() ? newestMtime(p) : st.mtimeMs);
  }
  return newest;
}

/** Builds dist/ with Vite unless it is newer than every source file. */
export async function ensureBuild(log: (s: string) => void = () => {}): Promise<void> {
  if (INSTALLED) {
    if (!existsSync(join(DIST, 'harness.html'))) throw new Error(`Cannot find the prebuilt harness page in ${DIST}: the package is incomplete`);
    return;
  }
  const stamp = join(DIST, '.built');
  const sources = Math.max(...['src', 'workers', 'shaders', 'demo'].map((d) => newestMtime(join(ROOT, d))), statSync(join(ROOT, 'vite.config.ts')).mtimeMs);
  if (existsSync(stamp) && statSync(stamp).mtimeMs > sources) return;
  log('building the browser bundle (vite build)…');
  const { build } = await import('vite');
  await build({ configFile: join(ROOT, 'vite.config.ts'), logLevel: 'warn' });
  writeFileSync(stamp, String(Date.now()));
}

const TYPES: Record<string, string> = {
  '.html': 'text/html', '.css': 'text/css', '.js': 'text/javascript', '.wgsl': 'text/plain', '.map': 'application/json',
  '.mp4': 'video/mp4', '.webm': 'video/webm', '.m3u8': 'application/vnd.apple.mpegurl', '.m4s': 'video/iso.segment',
  '.mpd': 'application/dash+xml',
};

export interface Served {
  origin: string;
  /** Final paths of the files uploaded so far (PUT /out/NAME), in order. */
  readonly written: readonly string[];
  close(): Promise<void>;
}

/**
 * Serves dist/ at /, the input file at /input (with Range), and accepts PUT /out/NAME into outDir.
 * Uploads are written to a temporary name and renamed, so a file at its final path is complete.
 */
export async function serve(opts: {
  inputPath?: string | undefined;
  outDir?: string | undefined;
  /** Extra read-only folders: URL prefix (e.g. '/hls/') → directory. */
  mounts?: Record<string, string>;
}): Promise<Served> {
  const written: string[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const path = decodeURIComponent(url.pathname);
    if (req.method === 'PUT' && path.startsWith('/out/') && opts.outDir) {
      const name = path.slice(5);
      if (!/^[\w.-]+(\/[\w.-]+)*$/.test(name) || name.includes('..')) { res.writeHead(400).end('bad name'); return; }
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const dest = join(opts.outDir!, name);
        try {
          mkdirSync(resolve(dest, '..'), { recursive: true });
          writeFileSync(`${dest}.partial`, Buffer.concat(chunks));
          renameSync(`${dest}.partial`, dest);
        } catch (err) {
          // A file that cannot be written (disk full, a folder in the way) fails its upload, and so
          // the job, with the reason; it must not end this process from inside the server.
          rmSync(`${dest}.partial`, { force: true });
          res.writeHead(500).end(`cannot write ${dest}: ${err instanceof Error ? err.message : String(err)}`);
          return;
        }
        written.push(dest);
        res.writeHead(201).end();
      });
      return;
    }
    const mount = Object.entries(opts.mounts ?? {}).find(([prefix]) => path.startsWith(prefix));
    const base = mount ? resolve(mount[1]) : DIST;
    const file = path === '/input' ? opts.inputPath : mount ? join(base, path.slice(mount[0].length)) : join(DIST, path === '/' ? 'index.html' : path);
    // Only files inside the served folder: a path that climbs out (`/../`, `%2e%2e`) is a 404.
    if (!file || !(path === '/input' || file.startsWith(base + sep)) || !existsSync(file) || statSync(file).isDirectory()) {
      res.writeHead(404).end('not found');
      return;
    }
    const size = statSync(file).size;
    const type = TYPES[extname(file)] ?? 'application/octet-stream';
    const range = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? '');
    if (range && size > 0) {
      const start = range[1] ? Number(range[1]) : Math.max(0, size - Number(range[2]));
      const end = range[1] && range[2] ? Math.min(Number(range[2]), size - 1) : size - 1;
      if (start >= size || start > end) { res.writeHead(416, { 'Content-Range': `bytes */${size}` }).end(); return; }
      res.writeHead(206, { 'Content-Type': type, 'Content-Length': end - start + 1, 'Content-Range': `bytes ${start}-${end}/${size}`, 'Accept-Ranges': 'bytes' });
      createReadStream(file, { start, end }).pipe(res);
      return;
    }
    res.writeHead(200, { 'Content-Type': type, 'Content-Length': size, 'Accept-Ranges': 'bytes' });
    if (req.method === 'HEAD') { res.end(); return; }
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    written,
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

/**
 * Launches headless Chromium. By default Playwright handles SIGINT, SIGTERM and SIGHUP itself (it
 * closes the browser; on SIGINT it also exits 130). `ownSignals: true` leaves them to the caller,
 * which must then close the browser (Playwright still kills it when the process exits).
 */
export async function launchChromium(opts: { ownSignals?: boolean } = {}): Promise<Browser> {
  const own = opts.ownSignals === true;
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS,
    ...(own ? { handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false } : {}),
  });
}

export interface PageErrors {
  pageErrors: string[];
  consoleErrors: string[];
}

/** Opens the harness page; records uncaught page errors and console errors. */
export async function openHarness(browser: Browser, origin: string, onLog?: (line: string) => void): Promise<{ page: Page; errors: PageErrors }> {
  const page = await browser.newPage();
  const errors: PageErrors = { pageErrors: [], consoleErrors: [] };
  page.on('pageerror', (e) => errors.pageErrors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.consoleErrors.push(m.text());
    onLog?.(m.text());
  });
  await page.goto(`${origin}/harness.html`);
  await page.waitForFunction(() => (window as unknown as { harnessReady?: boolean }).harnessReady === true);
  return { page, errors };
}

export type { JobReply, JobRequest };

export async function runJob(page: Page, req: JobRequest): Promise<JobReply> {
  return page.evaluate((r) => window.runJob(r), req);
}

export type { EngineJobsReply, EngineJobsRequest };

/** Several jobs at once over one engine in the page (window.runEngineJobs). */
export async function runEngineJobs(page: Page, req: EngineJobsRequest): Promise<EngineJobsReply> {
  return page.evaluate((r) => window.runEngineJobs(r), req);
}

/**
 * Bundles a balancer module (TypeScript, may import ../src/mod.ts) into one ES module the page can
 * import: the balancer runs in the page, beside the engine. Returns the folder holding balancer.js.
 */
export async function bundleBalancer(path: string): Promise<string> {
  const outDir = mkdtempSync(join(tmpdir(), 'ladder-balancer-'));
  const { build } = await import('vite');
  await build({
    configFile: false,
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true, minify: false, target: 'es2022', lib: { entry: resolve(path), formats: ['es'], fileName: () => 'balancer.js' } },
  });
  return outDir;
}

/** One complete browser transcode: build, serve, launch, run, tear down. */
export async function transcodeInBrowser(opts: {
  inputPath: string | null;
  outDir: string;
  ladder?: number[] | undefined;
  leases?: number | undefined;
  chunkSeconds?: number | undefined;
  policy?: string | undefined;
  format?: OutputFormat | undefined;
  /** A LoadBalancer module (path): the job runs through an engine (createEngine) with it. */
  balancer?: string | undefined;
  /** Adapter weights for the engine's balancer, e.g. "100,66"; also runs the job through an engine. */
  adapterWeights?: string | undefined;
  /** TranscodeOptions.qualityReport. */
  qualityReport?: boolean | undefined;
  /** TranscodeOptions.quality. */
  quality?: 'high' | 'medium' | 'low' | number[] | undefined;
  /** TranscodeOptions.audio. */
  audio?: 'auto' | 'drop' | 'require' | undefined;
  /**
   * Cancels the job: Chromium is closed, and every file the job uploaded is removed, then the
   * promise rejects with the signal's reason. A job that fails (an error reply, a page error, an
   * exception) leaves nothing either: its finished rungs are not the ladder it was asked for. With a signal, the caller owns SIGINT/SIGTERM
   * (Playwright's own handlers are off).
   */
  signal?: AbortSignal | undefined;
  onLog?: (line: string) => void;
}): Promise<JobReply & PageErrors> {
  const signal = opts.signal;
  // Each step races the signal, so a cancel does not wait for the page's job to notice.
  const cancelled = new Promise<never>((_, reject) => {
    if (signal?.aborted) reject(signal.reason);
    signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
  cancelled.catch(() => {});
  const step = <T>(p: Promise<T>): Promise<T> => signal ? Promise.race([p, cancelled]) : p;
  await step(ensureBuild(opts.onLog));
  mkdirSync(opts.outDir, { recursive: true });
  const balancerDir = opts.balancer ? await step(bundleBalancer(opts.balancer)) : null;
  const server = await serve({ inputPath: opts.inputPath ?? undefined, outDir: opts.outDir, ...(balancerDir ? { mounts: { '/balancer/': balancerDir } } : {}) });
  let browser: Browser | null = null;
  let succeeded = false;
  const settle = (reply: JobReply & PageErrors): JobReply & PageErrors => {
    succeeded = reply.ok && reply.pageErrors.length === 0;
    return reply;
  };
  try {
    browser = await step(launchChromium({ ownSignals: signal !== undefined }));
    const { page, errors } = await step(openHarness(browser, server.origin, opts.onLog));
    const job: JobRequest = {
      inputUrl: opts.inputPath ? `${server.origin}/input` : null,
      uploadBase: `${server.origin}/out/`,
      ...(opts.ladder ? { ladder: opts.ladder } : {}),
      ...(opts.leases ? { leases: opts.leases } : {}),
      ...(opts.chunkSeconds ? { chunkSeconds: opts.chunkSeconds } : {}),
      ...(opts.policy ? { policy: opts.policy } : {}),
      ...(opts.format ? { format: opts.format } : {}),
      ...(opts.qualityReport ? { qualityReport: true } : {}),
      ...(opts.quality !== undefined ? { quality: opts.quality } : {}),
      ...(opts.audio !== undefined ? { audio: opts.audio } : {}),
    };
    if (!balancerDir && opts.adapterWeights === undefined) return settle({ ...(await step(runJob(page, job))), ...errors });
    const many = await step(runEngineJobs(page, {
      jobs: [job],
      ...(balancerDir ? { balancerUrl: `${server.origin}/balancer/balancer.js` } : {}),
      ...(opts.adapterWeights !== undefined ? { adapterWeights: opts.adapterWeights } : {}),
    }));
    const reply: JobReply = many.jobs[0] ?? { ok: false, events: [], openFrames: many.openFrames, liveWorkers: 0, wallMs: many.wallMs, ...(many.error ? { error: many.error } : {}) };
    return settle({ ...reply, ...errors });
  } finally {
    await browser?.close();
    await server.close(); // uploads are written synchronously on arrival: none lands after this
    if (balancerDir) rmSync(balancerDir, { recursive: true, force: true });
    if (signal?.aborted || !succeeded) discardUploads(opts.outDir, server.written);
  }
}

/** Removes what a cancelled or failed job uploaded, and the folders that leaves empty (never outDir itself). */
function discardUploads(outDir: string, files: readonly string[]): void {
  const root = resolve(outDir);
  const dirs = new Set<string>();
  for (const f of files) {
    rmSync(f, { force: true });
    for (let d = resolve(f, '..'); d.startsWith(root + sep); d = resolve(d, '..')) dirs.add(d);
  }
  for (const d of [...dirs].sort((a, b) => b.length - a.length)) {
    try { rmdirSync(d); } catch { /* not empty: holds files this job did not write */ }
  }
}
