// The platform seam without a GPU: src/platform/gpu.ts against a fake navigator.gpu (adapters
// listed once each, in order, fallback flag read, a failing request skipped), the device request's
// error, core and lease counts; and src/platform/shaders.ts against a fake fetch that serves the
// repository's shaders/ (the prelude prepended to each kernel, load errors named and not cached).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, it } from 'node:test';
import { TranscodeError } from '../../src/errors.ts';
import { coreCount, defaultLeaseCount, listAdapters, requestGpuDevice } from '../../src/platform/gpu.ts';
import { loadShader } from '../../src/platform/shaders.ts';
import { installGlobal } from '../lib/fake-frame.ts';

interface FakeInfo { vendor: string; architecture: string; device: string; description: string; isFallbackAdapter?: boolean | undefined }

function fakeAdapter(info: FakeInfo) {
  const requested: Array<GPUDeviceDescriptor | undefined> = [];
  return {
    info,
    requested,
    requestDevice: async (d?: GPUDeviceDescriptor) => { requested.push(d); return { label: d?.label } as unknown as GPUDevice; },
  };
}

/** A navigator.gpu answering each power preference from `byPreference` (an Error is a rejection). */
function fakeGpu(byPreference: Record<string, ReturnType<typeof fakeAdapter> | null | Error>) {
  const asked: string[] = [];
  return {
    asked,
    gpu: {
      requestAdapter: async (o?: GPURequestAdapterOptions) => {
        asked.push(o?.powerPreference ?? 'none');
        const a = byPreference[o?.powerPreference ?? 'none'] ?? null;
        if (a instanceof Error) throw a;
        return a;
      },
    },
  };
}

let restore: Array<() => void> = [];
afterEach(() => { for (const r of restore.reverse()) r(); restore = []; });
const withNavigator = (nav: unknown) => restore.push(installGlobal('navigator', nav));

const llvmpipe: FakeInfo = { vendor: 'mesa', architecture: '', device: '', description: 'llvmpipe (LLVM 15)', isFallbackAdapter: false };
const swiftshader: FakeInfo = { vendor: 'google', architecture: 'swiftshader', device: '', description: 'SwiftShader', isFallbackAdapter: true };

describe('listAdapters (fake navigator.gpu)', () => {
  it('no navigator or no navigator.gpu: no adapters', async () => {
    withNavigator(undefined);
    assert.deepEqual(await listAdapters(), []);
    withNavigator({ hardwareConcurrency: 4 });
    assert.deepEqual(await listAdapters(), []);
  });

  it('asks both power preferences, and lists the same adapter once', async () => {
    const a = fakeAdapter(llvmpipe);
    const { gpu, asked } = fakeGpu({ 'high-performance': a, 'low-power': a });
    withNavigator({ gpu });
    const found = await listAdapters();
    assert.deepEqual(asked, ['high-performance', 'low-power']);
    assert.equal(found.length, 1);
    assert.equal(found[0]!.adapter, a as unknown as GPUAdapter);
    assert.deepEqual(found[0]!.info, { index: 0, vendor: 'mesa', architecture: '', description: 'llvmpipe (LLVM 15)', isFallback: false });
  });

  it('two different adapters get indices 0 and 1; the fallback flag is read, absent means false', async () => {
    const { gpu } = fakeGpu({ 'high-performance': fakeAdapter({ ...llvmpipe, isFallbackAdapter: undefined }), 'low-power': fakeAdapter(swiftshader) });
    withNavigator({ gpu });
    const found = await listAdapters();
    assert.deepEqual(found.map((f) => [f.info.index, f.info.description, f.info.isFallback]), [[0, 'llvmpipe (LLVM 15)', false], [1, 'SwiftShader', true]]);
  });

  it('adapters that differ only in device id are both listed', async () => {
    const { gpu } = fakeGpu({ 'high-performance': fakeAdapter({ ...llvmpipe, device: '1' }), 'low-power': fakeAdapter({ ...llvmpipe, device: '2' }) });
    withNavigator({ gpu });
    assert.equal((await listAdapters()).length, 2);
  });

  it('a null or rejected request is skipped, not thrown', async () => {
    const { gpu } = fakeGpu({ 'high-performance': new Error('GPU process crashed'), 'low-power': fakeAdapter(swiftshader) });
    withNavigator({ gpu });
    const found = await listAdapters();
    assert.deepEqual(found.map((f) => [f.info.index, f.info.description]), [[0, 'SwiftShader']]);
    withNavigator({ gpu: fakeGpu({}).gpu });
    assert.deepEqual(await listAdapters(), []);
  });
});

describe('requestGpuDevice', () => {
  it('no adapter: a TranscodeError that says WebGPU has none', async () => {
    await assert.rejects(requestGpuDevice(null), (err: unknown) => err instanceof TranscodeError && /^Cannot scale: WebGPU \(navigator\.gpu\) has no adapter/.test(err.message));
  });

  it('passes the label (default "ladder-engine")', async () => {
    const a = fakeAdapter(llvmpipe);
    await requestGpuDevice(a as unknown as GPUAdapter);
    await requestGpuDevice(a as unknown as GPUAdapter, 'scale tests');
    assert.deepEqual(a.requested, [{ label: 'ladder-engine' }, { label: 'scale tests' }]);
  });
});

describe('coreCount and defaultLeaseCount', () => {
  it('coreCount: navigator.hardwareConcurrency, or 2 without one', () => {
    withNavigator({ hardwareConcurrency: 12 });
    assert.equal(coreCount(), 12);
    withNavigator(undefined);
    assert.equal(coreCount(), 2);
  });

  it('inline leases (no Worker): 1', () => {
    withNavigator({ hardwareConcurrency: 16 });
    restore.push(installGlobal('Worker', undefined));
    assert.equal(defaultLeaseCount(4), 1);
    assert.equal(defaultLeaseCount(), 1);
  });

  it('with Worker: max(2, min(rungs, cores)), or max(2, cores) without a rung count', () => {
    restore.push(installGlobal('Worker', class {}));
    withNavigator({ hardwareConcurrency: 8 });
    assert.equal(defaultLeaseCount(4), 4);
    assert.equal(defaultLeaseCount(1), 2);
    assert.equal(defaultLeaseCount(), 8);
    withNavigator({ hardwareConcurrency: 1 });
    assert.equal(defaultLeaseCount(4), 2);
    assert.equal(defaultLeaseCount(), 2);
  });
});

describe('loadShader (fake fetch over shaders/)', () => {
  const shaders = new URL('../../shaders/', import.meta.url);
  const read = (name: string) => readFileSync(new URL(name, shaders), 'utf8');
  let failing = new Set<string>();
  const fetched: string[] = [];
  const fakeFetch = async (url: URL | string) => {
    const name = String(url).slice(String(url).lastIndexOf('/') + 1);
    fetched.push(name);
    assert.equal(fileURLToPath(url), fileURLToPath(new URL(name, shaders)), 'module-relative URL resolves into shaders/');
    if (failing.has(name)) return new Response('missing', { status: 404 });
    return new Response(read(name));
  };

  // One describe, in order: the module caches across tests, which is what the cases check.
  it('a missing prelude fails the kernel with a TranscodeError naming the file and status', async () => {
    restore.push(installGlobal('fetch', fakeFetch));
    failing = new Set(['prelude.wgsl']);
    await assert.rejects(loadShader('resample'), (err: unknown) => err instanceof TranscodeError && err.message === 'Cannot load shader prelude.wgsl: HTTP 404');
  });

  it('every kernel is the prelude, a newline, then its own file; a failed load is retried', async () => {
    restore.push(installGlobal('fetch', fakeFetch));
    failing = new Set();
    for (const name of ['resample', 'scale_copy', 'quality'] as const) {
      assert.equal(await loadShader(name), `${read('prelude.wgsl')}\n${read(`${name}.wgsl`)}`);
    }
    assert.equal(fetched.filter((n) => n === 'prelude.wgsl').length, 2, 'the failed prelude was fetched again, then cached');
  });

  it('each file is fetched once', async () => {
    restore.push(installGlobal('fetch', fakeFetch));
    const before = fetched.length;
    await Promise.all([loadShader('quality'), loadShader('resample')]);
    assert.equal(fetched.length, before);
  });

  it('the prelude declares no binding or override, and no kernel redeclares its names', () => {
    const prelude = read('prelude.wgsl').replace(/\/\/.*$/gm, '');
    assert.doesNotMatch(prelude, /@binding|@group|\boverride\b|\bvar\b/);
    const names = [...prelude.matchAll(/^(?:fn|const)\s+(\w+)/gm)].map((m) => m[1]!);
    assert.deepEqual(names, ['BYTE_SHIFTS', 'unpackBytes', 'packBytes']);
    for (const kernel of ['resample', 'scale_copy', 'quality']) {
      const text = read(`${kernel}.wgsl`);
      for (const n of names) assert.doesNotMatch(text, new RegExp(`^\\s*(?:fn|const|let|var|override)\\s+${n}\\b`, 'm'), `${kernel}.wgsl redeclares ${n}`);
    }
    assert.match(read('scale_copy.wgsl'), /\bpackBytes\(/, 'scale_copy uses the prelude');
    for (const kernel of ['resample', 'scale_copy', 'quality']) assert.match(read(`${kernel}.wgsl`), /\bunpackBytes\(/, `${kernel} uses the prelude`);
  });
});
