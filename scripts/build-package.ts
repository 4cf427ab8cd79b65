// Builds what `npm pack` ships (run by `npm run build:lib`, and by npm itself before packing):
//   lib/src/**.js + .d.ts   the library, ESM, one file per module (tsc, tsconfig.build.json)
//   lib/cli/deno/*.js       the Deno CLI (`ladder-engine/cli`) and the distributed commands, the same way
//   lib/workers/encode.worker.js  the encoder worker, one self-contained module (esbuild), since a
//                           module worker on a page without a bundler gets no import map
//   lib/shaders/*.wgsl      the kernels, copied
//   lib/harness/            the page the browser CLI drives (Vite, demo/harness.html only)
//   bin/ladder-browser.js   the browser CLI for Node, one file (esbuild; Playwright stays external)
// The source's module-relative URLs (src/encode/lease.ts → ../../workers/encode.worker.ts,
// src/platform/shaders.ts → ../../shaders/NAME.wgsl) stay valid because lib/ keeps the repository's
// layout; only the worker's extension changes.
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build as esbuild } from 'esbuild';

const ROOT = resolve(import.meta.dirname, '..');
const LIB = join(ROOT, 'lib');
const BIN = join(ROOT, 'bin');

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

/** Replaces `from` with `to` in a file, exactly `times` times, or throws: a silent miss would ship a broken URL. */
function replaceExactly(file: string, from: string, to: string, times: number): void {
  const text = readFileSync(file, 'utf8');
  const found = text.split(from).length - 1;
  if (found !== times) throw new Error(`Cannot rewrite ${file}: expected ${times} × ${JSON.stringify(from)}, found ${found}`);
  writeFileSync(file, text.split(from).join(to));
}

rmSync(LIB, { recursive: true, force: true });
rmSync(BIN, { recursive: true, force: true });

// 1. The library. tsc rewrites relative `.ts` imports to `.js` in JS, not in declarations.
execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.build.json')], { stdio: 'inherit' });
for (const file of walk(LIB).filter((f) => f.endsWith('.d.ts'))) {
  const text = readFileSync(file, 'utf8');
  const js = text.replace(/((?:from|import)\s*\(?\s*['"])(\.{1,2}\/[^'"]+)\.ts(['"])/g, '$1$2.js$3');
  // The WebGPU types are not in TypeScript's DOM lib yet: a declaration that names them says where they are.
  writeFileSync(file, /\bGPU[A-Z]\w*/.test(js) ? `/// <reference types="@webgpu/types" />\n${js}` : js);
}

// 2. The worker, self-contained (comlink and the encoder core inlined).
rmSync(join(LIB, 'workers'), { recursive: true, force: true });
await esbuild({
  entryPoints: [join(ROOT, 'workers/encode.worker.ts')],
  outfile: join(LIB, 'workers/encode.worker.js'),
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  logLevel: 'warning',
});
replaceExactly(join(LIB, 'src/encode/lease.js'), "'../../workers/encode.worker.ts'", "'../../workers/encode.worker.js'", 1);

// 3. The kernels.
cpSync(join(ROOT, 'shaders'), join(LIB, 'shaders'), { recursive: true, filter: (p) => statSync(p).isDirectory() || p.endsWith('.wgsl') });

// 4. The browser CLI's page, built from the same source as the repository's dist/harness.html.
const { build: vite } = await import('vite');
// Not vite.config.ts: its inputs (the demo pages) would be merged with this one, not replaced.
await vite({
  configFile: false,
  root: join(ROOT, 'demo'),
  base: './',
  logLevel: 'warn',
  worker: { format: 'es' },
  build: {
    outDir: join(LIB, 'harness'),
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 2048, // one page holding the whole engine, on purpose
    rollupOptions: { input: { harness: join(ROOT, 'demo/harness.html') } },
  },
});

// 5. The browser CLI: Node JS, runnable as an installed bin.
await esbuild({
  entryPoints: [join(ROOT, 'tools/browser-cli.ts')],
  outfile: join(BIN, 'ladder-browser.js'),
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['playwright', 'vite'],
  banner: { js: '#!/usr/bin/env node' },
  logLevel: 'warning',
});
chmodSync(join(BIN, 'ladder-browser.js'), 0o755);

process.stderr.write(`built lib/ (${walk(LIB).length} files) and bin/ladder-browser.js\n`);
