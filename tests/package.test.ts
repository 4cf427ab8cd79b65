// The package as its users get it: `npm pack` into a temp folder (npm runs the library build
// first), then installed from the tarball, never from this repository's source:
// - a Vite app (tests/fixtures/embed-vite) installs it with npm, type-checks and builds, and in
//   headless Chromium transcodes a canvas frame source and a file; libdav1d counts the frames;
// - a bundle of an entry importing only `transcode` holds no node-av, hls.js, fflate or demo code;
// - the installed `ladder-browser` bin starts and prints its usage;
// - a Deno script (tests/fixtures/deno-script) imports the unpacked package through its deno.json
//   and transcodes a file with a file target; `deno run -A npm:ladder-engine/cli` runs too;
// - `npm ci` of this repository warns about no install script (npm 11's allowScripts advisory).
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { build as esbuild } from 'esbuild';
import type { Browser } from 'playwright';
import { ROOT, launchChromium, serve } from '../tools/harness.ts';
import { tempDir } from './lib/cli.ts';
import { MEDIA, dav1dFrameCount, ffprobe, sourceFrameCount } from './lib/media.ts';

const DENO = join(ROOT, 'node_modules', '.bin', 'deno');
const NPM_QUIET = ['--no-audit', '--no-fund', '--loglevel=warn'];

/** Runs a command with a timeout (killed on expiry); resolves with its exit code and output. */
function run(cmd: string, args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs: number }): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d; });
    child.stderr.on('data', (d: Buffer) => { stderr += d; });
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`${cmd} ${args.join(' ')} timed out after ${opts.timeoutMs} ms: ${stderr.slice(-2000)}`)); }, opts.timeoutMs);
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    child.on('close', (code) => { clearTimeout(timer); resolve({ code: code ?? 1, stdout, stderr }); });
  });
}

async function ok(cmd: string, args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs: number }): Promise<{ stdout: string; stderr: string }> {
  const r = await run(cmd, args, opts);
  assert.equal(r.code, 0, `${cmd} ${args.join(' ')} failed (exit ${r.code}):\n${r.stderr.slice(-3000)}\n${r.stdout.slice(-1000)}`);
  return r;
}

interface Summary { decodedFrames: number; rungs: Array<{ label: number; width: number; height: number; frames: number; files: string[] }> }

/** Each rung's MP4 decodes with libdav1d to `frames` frames at its reported size. */
function checkLadder(out: string, summary: Summary, frames: number, sizes: Array<[number, number]>): void {
  assert.equal(summary.decodedFrames, frames);
  assert.deepEqual(summary.rungs.map((r) => [r.width, r.height]), sizes);
  for (const rung of summary.rungs) {
    const file = join(out, `${rung.label}p.mp4`);
    assert.deepEqual(rung.files, [`${rung.label}p.mp4`]);
    assert.equal(rung.frames, frames, `${file}: frames reported`);
    assert.equal(dav1dFrameCount(file), frames, `${file}: frames libdav1d decodes`);
    const v = ffprobe(file).streams.find((s) => s.codec_type === 'video');
    assert.equal(v?.codec_name, 'av1');
    assert.deepEqual([v?.width, v?.height], [rung.width, rung.height]);
  }
}

describe('the packed package, installed as its users install it', () => {
  const tmp = tempDir('package');
  const tgz = join(tmp, 'ladder-engine.tgz');
  const unpacked = join(tmp, 'package');
  const app = join(tmp, 'app');
  // A 1 s, 480x270 cut of video.mp4 (its audio kept): small enough that every run here takes seconds.
  const clip = join(tmp, 'clip.mp4');
  let clipFrames = 0;
  let packedFiles: string[] = [];

  before(async () => {
    const packed = await ok('npm', ['pack', '--json', '--pack-destination', tmp, ...NPM_QUIET], { cwd: ROOT, timeoutMs: 180_000 });
    const info = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as Array<{ filename: string; files: Array<{ path: string }> }>;
    packedFiles = info[0]!.files.map((f) => f.path);
    cpSync(join(tmp, info[0]!.filename), tgz);
    execFileSync('tar', ['xzf', tgz, '-C', tmp]);
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', join(MEDIA, 'video.mp4'), '-t', '1', '-vf', 'scale=480:270', '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'copy', clip]);
    clipFrames = sourceFrameCount(clip);
    assert.ok(clipFrames >= 25, `clip has ${clipFrames} frames`);
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('the tarball holds the compiled API, worker, kernels and bins, and no TypeScript source', () => {
    for (const f of ['lib/src/mod.js', 'lib/src/mod.d.ts', 'lib/src/platform/deno/mod.js', 'lib/cli/deno/cli.js',
      'lib/workers/encode.worker.js', 'lib/shaders/prelude.wgsl', 'lib/shaders/resample.wgsl', 'lib/shaders/scale_copy.wgsl',
      'lib/shaders/quality.wgsl',
      'lib/harness/harness.html', 'bin/ladder-browser.js', 'package.json', 'README.md', 'LICENSE']) {
      assert.ok(packedFiles.includes(f), `${f} is in the tarball`);
    }
    const source = packedFiles.filter((f) => /(?<!\.d)\.ts$/.test(f) || f.startsWith('demo/') || f.startsWith('tests/'));
    assert.deepEqual(source, []);
    // The module-relative URLs the compiled code resolves, and the worker without bare imports.
    const lease = readFileSync(join(unpacked, 'lib/src/encode/lease.js'), 'utf8');
    assert.match(lease, /new URL\('\.\.\/\.\.\/workers\/encode\.worker\.js', import\.meta\.url\)/);
    const shaders = readFileSync(join(unpacked, 'lib/src/platform/shaders.js'), 'utf8');
    assert.match(shaders, /new URL\('\.\.\/\.\.\/shaders\/resample\.wgsl', import\.meta\.url\)/);
    assert.match(shaders, /new URL\('\.\.\/\.\.\/shaders\/prelude\.wgsl', import\.meta\.url\)/);
    assert.doesNotMatch(readFileSync(join(unpacked, 'lib/workers/encode.worker.js'), 'utf8'), /^\s*import\s.*from\s+['"][^./]/m);
    assert.doesNotMatch(readFileSync(join(unpacked, 'lib/src/mod.d.ts'), 'utf8'), /from '\.[^']*\.ts'/);
    const pkg = JSON.parse(readFileSync(join(unpacked, 'package.json'), 'utf8')) as Record<string, unknown>;
    assert.equal(pkg.private, undefined);
    assert.equal(pkg.sideEffects, false);
    for (const dep of ['hls.js', 'fflate', 'dashjs']) assert.equal((pkg.dependencies as Record<string, string>)[dep], undefined, `${dep} is not a dependency`);
  });

  describe('a Vite app', () => {
    let browser: Browser | undefined;
    before(async () => {
      cpSync(join(ROOT, 'tests/fixtures/embed-vite'), app, { recursive: true });
      // From npm's cache where it can (CI's `npm ci` filled it), the registry otherwise. No install
      // scripts: node-av's postinstall would try to download an ffmpeg binary from GitHub.
      await ok('npm', ['install', '--prefer-offline', '--ignore-scripts', ...NPM_QUIET], { cwd: app, timeoutMs: 300_000 });
      assert.ok(!existsSync(join(app, 'node_modules/hls.js')) && !existsSync(join(app, 'node_modules/fflate')));
    });
    after(async () => { await browser?.close(); });

    it('type-checks against the installed .d.ts', async () => {
      writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({
        compilerOptions: { target: 'ES2022', module: 'ESNext', moduleResolution: 'Bundler', lib: ['ES2023', 'DOM', 'DOM.Iterable'], strict: true, noEmit: true, skipLibCheck: false, types: [] },
        files: ['main.ts'],
      }));
      await ok(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: app, timeoutMs: 120_000 });
    });

    it('an entry importing only transcode bundles without node-av, hls.js, fflate or the demo', async () => {
      writeFileSync(join(app, 'only-transcode.js'), "import { transcode } from 'ladder-engine';\nglobalThis.transcode = transcode;\n");
      const result = await esbuild({
        entryPoints: [join(app, 'only-transcode.js')], absWorkingDir: app, bundle: true, minify: true, format: 'esm',
        platform: 'browser', target: 'es2022', write: false, metafile: true, logLevel: 'silent',
      });
      const code = result.outputFiles[0]!.text;
      const inputs = Object.keys(result.metafile.inputs);
      assert.ok(inputs.some((p) => p.includes('node_modules/ladder-engine/lib/src/transcode.js')), 'the bundle is the installed package');
      assert.ok(inputs.some((p) => p.includes('node_modules/mediabunny/')), 'the demuxer is in');
      const banned = inputs.filter((p) => /node_modules\/(node-av|@seydx|hls\.js|fflate|dashjs)\/|\/demo\/|platform\/deno\//.test(p));
      assert.deepEqual(banned, []);
      // The text itself: no import of them left for a later bundler, and none of their own strings.
      for (const needle of ['node-av', 'hls.js', 'fflate', 'dashjs', 'hlsjs', 'invalid zip data', 'runEngineJobs']) {
        assert.ok(!code.includes(needle), `bundle contains ${JSON.stringify(needle)}`);
      }
      const gz = gzipSync(code, { level: 9 }).length;
      console.log(`transcode-only bundle (esbuild, minified, from the installed tarball): ${code.length} bytes, ${gz} bytes gzipped`);
    });

    it('builds, and in Chromium transcodes a canvas frame source and a file', async () => {
      await ok(process.execPath, [join(app, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], { cwd: app, timeoutMs: 120_000 });
      const dist = join(app, 'dist');
      const assets = readdirSync(join(dist, 'assets'));
      assert.ok(assets.some((f) => /^encode\.worker.*\.js$/.test(f)), `the worker is emitted: ${assets.join(' ')}`);
      for (const k of ['resample', 'scale_copy', 'quality']) assert.ok(assets.some((f) => f.startsWith(`${k}`) && f.endsWith('.wgsl')), `${k}.wgsl is emitted`);
      // The prelude is under Vite's assetsInlineLimit (4 KiB): emitted as a file, or inlined as a data: URL.
      const prelude = readFileSync(join(ROOT, 'shaders/prelude.wgsl')).toString('base64');
      const inlined = assets.filter((f) => f.endsWith('.js')).some((f) => readFileSync(join(dist, 'assets', f), 'utf8').includes(prelude));
      assert.ok(inlined || assets.some((f) => f.startsWith('prelude') && f.endsWith('.wgsl')), 'prelude.wgsl is emitted or inlined');
      const out = join(tmp, 'vite-out');
      mkdirSync(out);
      const server = await serve({ inputPath: clip, outDir: out, mounts: { '/': dist } });
      try {
        browser = await launchChromium();
        const page = await browser.newPage();
        const errors: string[] = [];
        page.on('pageerror', (e) => errors.push(String(e)));
        await page.goto(`${server.origin}/index.html`);
        await page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready', undefined, { timeout: 30_000 });
        const reply = await page.evaluate((url) => (window as unknown as { runFixture(u: string): Promise<{ canvas: Summary; file: Summary; openFrames: number }> }).runFixture(url), `${server.origin}/input`);
        assert.deepEqual(errors, []);
        assert.equal(reply.openFrames, 0);
        checkLadder(join(out, 'canvas'), reply.canvas, 15, [[320, 180], [160, 90]]);
        checkLadder(join(out, 'file'), reply.file, clipFrames, [[320, 180], [160, 90]]);
      } finally {
        await server.close();
      }
    });

    it('the installed ladder-browser bin runs (its usage)', async () => {
      // Its transcoding is the browser CLI's, tested in browser-*.test.ts; here: that the installed
      // bin starts from the tarball (bundled JS, Playwright resolved from the app) and answers.
      const help = await run(join(app, 'node_modules/.bin/ladder-browser'), ['--help'], { cwd: app, timeoutMs: 60_000 });
      assert.match(help.stdout + help.stderr, /--out DIR/);
    });
  });

  describe('a Deno script', () => {
    const script = join(tmp, 'deno-script');
    before(() => {
      cpSync(join(ROOT, 'tests/fixtures/deno-script'), script, { recursive: true });
      // The unpacked tarball is the package; its dependencies (mediabunny, node-av, …) come from
      // this repository's node_modules, as from any npm install, linked one by one beside it.
      const modules = join(script, 'node_modules');
      mkdirSync(modules);
      const repoModules = join(ROOT, 'node_modules');
      for (const name of readdirSync(repoModules)) {
        if (name.startsWith('.') || name === 'ladder-engine') continue;
        symlinkSync(join(repoModules, name), join(modules, name));
      }
      // Unpacked inside the script's folder: Deno resolves the package's own imports from the
      // node_modules above its real path.
      execFileSync('tar', ['xzf', tgz, '-C', script]);
      symlinkSync(join(script, 'package'), join(modules, 'ladder-engine'));
    });
    const env = { ...process.env, NO_COLOR: '1', LADDER_SVT_PRESET: '12' };

    it('imports the package through deno.json and transcodes a file to a file target', async () => {
      const out = join(tmp, 'deno-out');
      const r = await ok(DENO, ['run', '-A', 'main.ts', clip, out], { cwd: script, env, timeoutMs: 180_000 });
      checkLadder(out, JSON.parse(r.stdout.trim().split('\n').pop()!) as Summary, clipFrames, [[320, 180], [160, 90]]);
    });

    it('runs the CLI as `deno run -A npm:ladder-engine/cli`', async () => {
      const out = join(tmp, 'deno-cli-out');
      const r = await ok(DENO, ['run', '-A', 'npm:ladder-engine/cli', clip, '--out', out, '--ladder', '90', '--json'], { cwd: script, env, timeoutMs: 180_000 });
      const summary = JSON.parse(r.stdout.trim().split('\n').pop()!) as { rungs: Array<{ width: number; height: number; frames: number }> };
      assert.deepEqual(summary.rungs.map((x) => [x.width, x.height, x.frames]), [[160, 90, clipFrames]]);
      assert.equal(dav1dFrameCount(join(out, '90p.mp4')), clipFrames);
    });
  });

  it('jsr.json names @ladder/engine at the package version, with deno.json\'s import map', () => {
    const jsr = JSON.parse(readFileSync(join(ROOT, 'jsr.json'), 'utf8')) as { name: string; version: string; exports: Record<string, string>; imports: unknown };
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const deno = JSON.parse(readFileSync(join(ROOT, 'deno.json'), 'utf8')) as { imports: unknown };
    assert.equal(jsr.name, '@ladder/engine');
    assert.equal(jsr.version, pkg.version);
    assert.deepEqual(jsr.imports, deno.imports);
    for (const entry of Object.values(jsr.exports)) assert.ok(existsSync(join(ROOT, entry)), `${entry} exists`);
  });
});

describe('a quiet install', () => {
  // `npm ci --dry-run` resolves the lockfile's tree and prints npm's install-script advisory as a
  // real `npm ci` does, in seconds and without downloading or running anything. It does not see
  // what the install scripts themselves would print.
  async function dryRunCi(mutate?: (pkg: Record<string, unknown>) => void): Promise<string> {
    const dir = tempDir('npm-ci');
    try {
      const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Record<string, unknown>;
      mutate?.(pkg);
      writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg, null, 2));
      cpSync(join(ROOT, 'package-lock.json'), join(dir, 'package-lock.json'));
      const r = await ok('npm', ['ci', '--dry-run', '--no-audit', '--no-fund'], { cwd: dir, timeoutMs: 120_000 });
      return r.stdout + r.stderr;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it('`npm ci` of this repository prints no warning', async () => {
    const output = await dryRunCi();
    assert.match(output, /added \d+ packages/);
    assert.deepEqual(output.split('\n').filter((l) => /\bwarn\b/i.test(l)), []);
  });

  it('without allowScripts the same check sees the advisory (the check can fail)', async () => {
    const output = await dryRunCi((pkg) => { delete pkg.allowScripts; });
    assert.match(output, /not yet covered by allowScripts/);
    for (const name of ['deno', 'esbuild', 'node-av']) assert.match(output, new RegExp(`warn install-scripts\\s+${name}@`));
  });
});
