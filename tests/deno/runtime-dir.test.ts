// The private XDG runtime folder that Deno's WebGPU gets when the environment has none
// (src/platform/deno/runtime-dir.ts), in real Deno subprocesses: one reusable 0700 folder per user
// in the temporary folder, so processes that die without their unload event (SIGKILL) leave
// nothing new behind; a fresh folder, removed at exit, when that name is not ours.

declare const Deno: {
  test(name: string, fn: () => Promise<void>): void;
  execPath(): string;
  uid(): number | null;
  env: { toObject(): Record<string, string> };
  makeTempDir(options: { prefix: string }): Promise<string>;
  mkdir(path: string): Promise<void>;
  symlink(target: string, path: string): Promise<void>;
  lstat(path: string): Promise<{ isDirectory: boolean; mode: number | null }>;
  readDir(path: string): AsyncIterable<{ name: string }>;
  remove(path: string, options: { recursive: boolean }): Promise<void>;
  Command: new (cmd: string, options: { args: string[]; env: Record<string, string>; clearEnv: boolean; stdout: 'piped'; stderr: 'piped' }) => {
    output(): Promise<{ code: number; stdout: Uint8Array; stderr: Uint8Array }>;
  };
};

const MODULE = new URL('../../src/platform/deno/runtime-dir.ts', import.meta.url).href;

function fail(message: string): never {
  throw new Error(message);
}

/** Runs ensureRuntimeDir() in a fresh Deno with no XDG_RUNTIME_DIR and TMPDIR set to `tmp`; returns the folder it chose. */
async function chosen(tmp: string): Promise<string> {
  const env = Deno.env.toObject();
  delete env.XDG_RUNTIME_DIR;
  const code = `import { ensureRuntimeDir } from ${JSON.stringify(MODULE)}; ensureRuntimeDir(); console.log(Deno.env.get('XDG_RUNTIME_DIR'));`;
  const out = await new Deno.Command(Deno.execPath(), { args: ['eval', '--no-check', code], env: { ...env, TMPDIR: tmp }, clearEnv: true, stdout: 'piped', stderr: 'piped' }).output();
  const text = new TextDecoder();
  if (out.code !== 0) fail(`deno eval exited ${out.code}: ${text.decode(out.stderr)}`);
  return text.decode(out.stdout).trim();
}

async function entries(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(dir)) names.push(e.name);
  return names.sort();
}

Deno.test('runtime dir: one reusable 0700 folder per user, the same on every run', async () => {
  const tmp = await Deno.makeTempDir({ prefix: 'ladder-xdg-test-' });
  try {
    const first = await chosen(tmp);
    const expected = `${tmp}/ladder-xdg-${Deno.uid()}`;
    if (first !== expected) fail(`chose ${first}, expected ${expected}`);
    const st = await Deno.lstat(first);
    if (!st.isDirectory || (st.mode !== null && (st.mode & 0o777) !== 0o700)) fail(`${first}: not a 0700 directory (mode ${st.mode?.toString(8)})`);
    const second = await chosen(tmp);
    if (second !== first) fail(`second run chose ${second}, not ${first}`);
    const left = await entries(tmp);
    if (left.join() !== `ladder-xdg-${Deno.uid()}`) fail(`the temporary folder holds ${left.join(', ')}`);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test('runtime dir: a link or a foreign folder under that name is not used; a fresh folder is, and removed at exit', async () => {
  const tmp = await Deno.makeTempDir({ prefix: 'ladder-xdg-test-' });
  try {
    const elsewhere = `${tmp}/elsewhere`;
    await Deno.mkdir(elsewhere);
    await Deno.symlink(elsewhere, `${tmp}/ladder-xdg-${Deno.uid()}`);
    const dir = await chosen(tmp);
    if (!dir.startsWith(`${tmp}/ladder-xdg-`) || dir === `${tmp}/ladder-xdg-${Deno.uid()}`) fail(`chose ${dir}`);
    const left = await entries(tmp);
    if (left.join() !== ['elsewhere', `ladder-xdg-${Deno.uid()}`].sort().join()) fail(`the fresh folder was left behind: ${left.join(', ')}`);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});
