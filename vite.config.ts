// Vite builds the demo page and the automation harness (demo/harness.html) that the browser CLI
// and the tests drive. Workers and WGSL files are emitted as assets.
import { resolve } from 'node:path';
import { defineConfig } from 'vite';

const root = resolve(import.meta.dirname, 'demo');

export default defineConfig({
  root,
  base: './',
  // 'mpa': an unknown path is a 404, not index.html (no SPA fallback hiding a climb out of root).
  appType: 'mpa',
  server: { fs: { allow: [import.meta.dirname] } },
  worker: { format: 'es' },
  build: {
    outDir: resolve(import.meta.dirname, 'dist'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    rollupOptions: {
      input: {
        index: resolve(root, 'index.html'),
        harness: resolve(root, 'harness.html'),
        frames: resolve(root, 'frames.html'),
      },
    },
  },
});
