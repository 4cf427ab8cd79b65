// The demo servers serve only the project's files: a request that climbs out of the served folder
// (`/../`, an encoded `%2e%2e`) gets 404 from the harness server (tools/harness.ts, used by the
// CLI and the tests), from `vite` (npm run demo) and from `vite preview`. Raw sockets, because
// HTTP clients normalise such paths before sending them.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ROOT, ensureBuild, serve } from '../tools/harness.ts';
import type { Served } from '../tools/harness.ts';
import { tempDir } from './lib/cli.ts';

const CLIMBS = [
  '/../package.json',
  '/../../../../etc/passwd',
  '/%2e%2e/package.json',
  '/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
  '/%2E%2E%2Fpackage.json',
  '/..%2f..%2f..%2f..%2fetc%2fpasswd',
  '/assets/../../package.json',
  '/assets/%2e%2e/%2e%2e/package.json',
];

/** Sends one GET with the path exactly as given; returns the status code and body. */
function rawGet(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`));
    let data = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => { data += d; });
    socket.on('end', () => resolve({ status: Number(/^HTTP\/1\.1 (\d+)/.exec(data)?.[1]), body: data.split('\r\n\r\n').slice(1).join('\r\n\r\n') }));
    socket.on('error', reject);
  });
}

/** Starts a vite server (dev or preview) on a free port and waits for it to answer. */
async function startVite(args: string[]): Promise<{ port: number; child: ChildProcess }> {
  const child = spawn(process.execPath, ['node_modules/vite/bin/vite.js', ...args, '--host', '127.0.0.1', '--port', '0'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`vite ${args.join(' ')} did not start: ${out}`)), 60_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /http:\/\/127\.0\.0\.1:(\d+)/.exec(out.replace(/\x1b\[[0-9;]*m/g, ''));
      if (m) { clearTimeout(timer); resolve(Number(m[1])); }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`vite exited ${code}: ${out}`)); });
  });
  return { port, child };
}

describe('demo servers refuse paths that climb out', () => {
  let harness: Served;
  const vites: ChildProcess[] = [];
  before(async () => {
    await ensureBuild();
    harness = await serve({ outDir: tempDir('paths'), mounts: { '/media/': tempDir('paths-mount') } });
  });
  after(async () => {
    await harness?.close();
    for (const c of vites) c.kill('SIGTERM');
  });

  async function check(port: number, extra: string[] = []): Promise<void> {
    const ok = await rawGet(port, '/index.html');
    assert.equal(ok.status, 200, 'the demo page itself is served');
    for (const path of [...CLIMBS, ...extra]) {
      const r = await rawGet(port, path);
      assert.equal(r.status, 404, `${path} → ${r.status}`);
      assert.ok(!r.body.includes('"name": "ladder-engine"') && !r.body.includes('root:x:'), `${path} leaked a file`);
    }
  }

  it('the harness server (tools/harness.ts)', async () => {
    await check(Number(new URL(harness.origin).port), ['/media/../../package.json', '/media/%2e%2e/%2e%2e/package.json', '/media/..%2f..%2fpackage.json']);
  });

  it('vite (npm run demo)', async () => {
    const v = await startVite([]);
    vites.push(v.child);
    await check(v.port);
  });

  it('vite preview', async () => {
    const v = await startVite(['preview']);
    vites.push(v.child);
    await check(v.port);
  });
});
