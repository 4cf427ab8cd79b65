// Runs the browser CLI as a user would (a subprocess), returning its JSON summary.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../../tools/harness.ts';

export interface CliRung {
  height: number; width: number; label: number; codec: string; frames: number; bytes: number; file: string;
  /** Asked bitrate, and what the rung's chunks came out at (bits per second). */
  bitrate: number; achievedBitrate: number;
  chunks: Array<{ index: number; leaseId: number; helper: boolean; hardware: boolean; encoder: string; bytes: number; seconds: number; targetBitrate: number; aimBitrate: number; quantizer: number | null; attempts: number }>;
}
export interface CliSummary { rungs: CliRung[]; decodedFrames: number; stats: Record<string, number>; openFrames: number; wallMs: number }

const made: string[] = [];

/**
 * A fresh folder under the system's temp folder, removed with everything in it when this process
 * exits, so test runs leave nothing behind; `keep` (a bench's outputs, whose folder it names) or
 * LADDER_KEEP_TEMP=1 in the environment (to look at what a failing test wrote) leaves it.
 */
export function tempDir(prefix: string, opts: { keep?: boolean } = {}): string {
  const dir = mkdtempSync(join(tmpdir(), `ladder-${prefix}-`));
  if (opts.keep || process.env.LADDER_KEEP_TEMP) return dir;
  if (made.length === 0) {
    process.on('exit', () => {
      for (const d of made) {
        try { rmSync(d, { recursive: true, force: true }); } catch { /* a child still writing: left */ }
      }
    });
  }
  made.push(dir);
  return dir;
}

export function runCli(args: string[], timeoutMs = 20 * 60_000): Promise<{ code: number; stdout: string; stderr: string; summary: CliSummary | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'tools/browser-cli.ts'), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d; });
    child.stderr.on('data', (d: Buffer) => { stderr += d; });
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`CLI timed out after ${timeoutMs} ms: ${stderr.slice(-2000)}`)); }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      const last = stdout.trim().split('\n').pop() ?? '';
      let summary: CliSummary | null = null;
      try { summary = JSON.parse(last) as CliSummary; } catch { /* not JSON: an error run */ }
      resolve({ code: code ?? 1, stdout, stderr, summary });
    });
  });
}

/** Runs the Deno CLI (`deno task transcode`) as a user would; `--json` is added. */
export function runDenoCli(args: string[], timeoutMs = 20 * 60_000): Promise<{ code: number; stdout: string; stderr: string; summary: CliSummary | null }> {
  return new Promise((resolve, reject) => {
    const deno = join(ROOT, 'node_modules', '.bin', 'deno');
    const child = spawn(deno, ['task', 'transcode', ...args, '--json'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d; });
    child.stderr.on('data', (d: Buffer) => { stderr += d; });
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`Deno CLI timed out after ${timeoutMs} ms: ${stderr.slice(-2000)}`)); }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      let summary: CliSummary | null = null;
      try { summary = JSON.parse(stdout.trim().split('\n').pop() ?? '') as CliSummary; } catch { /* an error run */ }
      resolve({ code: code ?? 1, stdout, stderr, summary });
    });
  });
}
