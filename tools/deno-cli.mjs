#!/usr/bin/env node
// `node tools/deno-cli.mjs COMMAND [ARGS...]`, behind the npm scripts `transcode:deno`, `submit`,
// `worker` and `cancel` (`npm run transcode:deno -- INPUT --out DIR [...]`): starts that Deno
// command (cli/deno/cli.ts, submit.ts, worker.ts, cancel.ts) on the Deno binary that `npm ci` installed, as one child that this process forwards SIGINT,
// SIGTERM and SIGHUP to and waits for, exiting with its status. Plain JavaScript, so `node` runs it
// as one process with no TypeScript loader in between.
//
// Why not `npx deno …` or `node_modules/.bin/deno …`: when npm has not run the deno package's
// install script, node_modules/.bin/deno is its Node shim (bin.cjs), which runs the binary with
// spawnSync and forwards no signal, so a SIGTERM to the command left the encode running. The
// binary's path comes from the deno package's own resolver (install_api.cjs), the one bin.cjs uses.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { constants as osConstants } from 'node:os';
import { fileURLToPath } from 'node:url';

const FORWARDED = ['SIGINT', 'SIGTERM', 'SIGHUP'];
const COMMANDS = { transcode: 'cli.ts', submit: 'submit.ts', worker: 'worker.ts', cancel: 'cancel.ts', probe: 'probe.ts' };
const [command, ...args] = process.argv.slice(2);
if (!Object.hasOwn(COMMANDS, command ?? '')) {
  process.stderr.write(`usage: node tools/deno-cli.mjs ${Object.keys(COMMANDS).join('|')} [ARGS...]\n`);
  process.exit(2);
}
const entry = fileURLToPath(new URL(`../cli/deno/${COMMANDS[command]}`, import.meta.url));

let deno;
try {
  deno = createRequire(import.meta.url)('deno/install_api.cjs').runInstall();
} catch (err) {
  process.stderr.write(`error: cannot find the Deno binary of the npm package "deno" (run npm ci): ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}

// MALLOC_ARENA_MAX=1 (unless the caller set it): glibc's malloc gives threads up to 8 × cores
// arenas and returns little of an arena's freed memory to the system. The engine opens a fresh
// SVT-AV1 encoder (about 50 threads) per chunk and closes it after, so with 16 arenas (2 cores) each
// new encoder's allocations landed in arenas still holding what earlier encoders had freed, and peak
// RSS grew with the clip's length (35 s of video.mp4 at --ladder 360: 840–990 MiB, against 710–730
// MiB for its 5 s; free memory, not live: malloc_trim every 250 ms held the 35 s run to 574 MiB).
// One arena reuses what the last encoder freed: 540–555 MiB for 35 s, about 500 MiB for 5 s, with
// the same CPU time (README, Memory). deno.json's transcode and worker tasks set the same.
const env = { ...process.env, MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX ?? '1' };
const child = spawn(deno, ['run', '-A', entry, ...args], { stdio: 'inherit', env });
// Ctrl-C reaches the child directly too (same process group); a second SIGINT is harmless to it.
const forward = (signal) => { if (child.exitCode === null && child.signalCode === null) child.kill(signal); };
for (const s of FORWARDED) process.on(s, forward);
child.on('error', (err) => {
  process.stderr.write(`error: cannot start ${deno}: ${err.message}\n`);
  process.exit(1);
});
child.on('exit', (code, signal) => {
  if (signal === null) process.exit(code ?? 1);
  // Ended by a signal it did not handle: end the same way, so a caller sees the same status.
  for (const s of FORWARDED) process.removeListener(s, forward);
  process.kill(process.pid, signal);
  setTimeout(() => process.exit(128 + (osConstants.signals[signal] ?? 0)), 1000).unref();
});
