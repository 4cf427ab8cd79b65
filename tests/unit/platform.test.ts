// The platform seam without a GPU: src/platform/gpu.ts against a fake GPU (adapters listed once
// each, in order, fallback flag read, a failing request skipped), the device request's error, the
// default lease count per lease mode; browserRuntime() over a realm's globals (present, missing);
// and src/platform/shaders.ts against a fake fetch that serves the repository's shaders/ (the
// prelude prepended to each kernel, load errors named and not cached).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, it } from 'node:test';
import { TranscodeError } from '../../src/errors.ts';
import { browserRuntime, globalCodecs, requireCodecs } from '../../src/platform/browser.ts';
import { defaultLeaseCount, listAdapters, requestGpuDevice } from '../../src/platform/gpu.ts';
import { fetchShader, kernelSource } from '../../src/platform/shaders.ts';
import type { ShaderName } from '../../src/platform/shaders.ts';
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

describe('listAdapters (a fake GPU)', () => {
  it('no WebGPU (gpu null): no adapters', async () => {
    assert.deepEqual(await listAdapters(null), []);
  });

  it('asks both power preferences, and lists the same adapter once', async () => {
    const a = fakeAdapter(llvmpipe);
    const { gpu, asked } = fakeGpu({ 'high-performance': a, 'low-power': a });
    const found = await listAdapters(gpu as unknown as GPU);
    assert.deepEqual(asked, ['high-performance', 'low-power']);
    assert.equal(found.length, 1);
    assert.equal(found[0]!.adapter, a as unknown as GPUAdapter);
    assert.deepEqual(found[0]!.info, { index: 0, vendor: 'mesa', architecture: '', description: 'llvmpipe (LLVM 15)', isFallback: false });
  });

  it('two different adapters get indices 0 and 1; the fallback flag is read, absent means false', async () => {
    const { gpu } = fakeGpu({ 'high-performance': fakeAdapter({ ...llvmpipe, isFallbackAdapter: undefined }), 'low-power': fakeAdapter(swiftshader) });
    const found = await listAdapters(gpu as unknown as GPU);
    assert.deepEqual(found.map((f) => [f.info.index, f.info.description, f.info.isFallback]), [[0, 'llvmpipe (LLVM 15)', false], [1, 'SwiftShader', true]]);
  });

  it('adapters that differ only in device id are both listed', async () => {
    const { gpu } = fakeGpu({ 'high-performance': fakeAdapter({ ...llvmpipe, device: '1' }), 'low-power': fakeAdapter({ ...llvmpipe, device: '2' }) });
    assert.equal((await listAdapters(gpu as unknown as GPU)).length, 2);
  });

  it('a null or rejected request is skipped, not thrown', async () => {
    const { gpu } = fakeGpu({ 'high-performance': new Error('GPU process crashed'), 'low-power': fakeAdapter(swiftshader) });
    const found = await listAdapters(gpu as unknown as GPU);
    assert.deepEqual(found.map((f) => [f.info.index, f.info.description]), [[0, 'SwiftShader']]);
    assert.deepEqual(await listAdapters(fakeGpu({}).gpu as unknown as GPU), []);
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

describe('defaultLeaseCount', () => {
  it("inline leases (the Deno runtime's): 2, fewer with one core or one rung", () => {
    assert.equal(defaultLeaseCount({ cores: 16, leaseMode: 'inline' }, 4), 2);
    assert.equal(defaultLeaseCount({ cores: 16, leaseMode: 'inline' }), 2);
    assert.equal(defaultLeaseCount({ cores: 2, leaseMode: 'inline' }, 4), 2);
    assert.equal(defaultLeaseCount({ cores: 1, leaseMode: 'inline' }, 4), 1);
    assert.equal(defaultLeaseCount({ cores: 16, leaseMode: 'inline' }, 1), 1);
  });

  it('worker leases: max(2, min(rungs, cores)), or max(2, cores) without a rung count', () => {
    const eight = { cores: 8, leaseMode: 'worker' } as const;
    assert.equal(defaultLeaseCount(eight, 4), 4);
    assert.equal(defaultLeaseCount(eight, 1), 2);
    assert.equal(defaultLeaseCount(eight), 8);
    const one = { cores: 1, leaseMode: 'worker' } as const;
    assert.equal(defaultLeaseCount(one, 4), 2);
    assert.equal(defaultLeaseCount(one), 2);
  });
});

describe('browserRuntime (the realm\'s globals)', () => {
  class Stub {}
  const video = ['VideoDecoder', 'VideoEncoder', 'VideoFrame', 'EncodedVideoChunk'];
  const audio = ['AudioData', 'AudioDecoder', 'AudioEncoder', 'EncodedAudioChunk'];
  const install = (names: string[]) => { for (const n of names) restore.push(installGlobal(n, class extends Stub {})); };

  it('Node has no WebCodecs: codecs null, and requireCodecs names the runtime', () => {
    const rt = browserRuntime();
    assert.equal(rt.name, 'browser');
    assert.equal(rt.codecs, null);
    assert.throws(() => requireCodecs(rt), (e: unknown) => e instanceof TranscodeError && e.name === 'UnsupportedCodecError'
      && e.message.startsWith('Cannot transcode: the browser runtime has no WebCodecs VideoDecoder/VideoEncoder'));
  });

  it('reads the classes when made: video alone gives audio null; all eight give both', () => {
    install(video);
    const v = globalCodecs()!;
    assert.equal(v.VideoDecoder, (globalThis as Record<string, unknown>).VideoDecoder);
    assert.equal(v.audio, null);
    install(audio);
    const both = browserRuntime().codecs!;
    assert.equal(both.audio!.AudioEncoder, (globalThis as Record<string, unknown>).AudioEncoder);
    assert.deepEqual(requireCodecs(browserRuntime()), both);
  });

  it('navigator gives gpu and cores (2 without hardwareConcurrency); leases are workers', () => {
    const gpu = fakeGpu({}).gpu;
    withNavigator({ gpu, hardwareConcurrency: 12 });
    let rt = browserRuntime();
    assert.equal(rt.gpu, gpu);
    assert.equal(rt.cores, 12);
    assert.equal(rt.leaseMode, 'worker');
    assert.equal(rt.loadShader, fetchShader);
    withNavigator(undefined);
    rt = browserRuntime();
    assert.equal(rt.gpu, null);
    assert.equal(rt.cores, 2);
  });

  it('without Web Workers, creating a lease is an UnsupportedCodecError that points Deno users at denoRuntime()', () => {
    restore.push(installGlobal('Worker', undefined));
    assert.throws(() => browserRuntime().createLease(1, false), (e: unknown) => e instanceof TranscodeError && e.name === 'UnsupportedCodecError' && /denoRuntime\(\)/.test(e.message));
  });
});

describe('fetchShader and kernelSource (fake fetch over shaders/)', () => {
  const shaders = new URL('../../shaders/', import.meta.url);
  const loadShader = (name: ShaderName) => kernelSource(fetchShader, name);
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
    // Nothing in it is dead: each function is called by some kernel (fn names only; constants serve them).
    const kernels = ['resample', 'scale_copy', 'quality'].map((k) => read(`${k}.wgsl`));
    for (const n of names.filter((x) => /^[a-z]/.test(x))) assert.ok(kernels.some((t) => new RegExp(`\\b${n}\\(`).test(t)), `no kernel calls ${n}`);
  });
});
