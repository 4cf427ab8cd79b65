// Gives Deno's WebGPU a private XDG runtime directory when the environment has no usable one.
// Mesa's Vulkan loader, which wgpu opens on the first requestAdapter(), probes for a Wayland display
// and libwayland prints "error: XDG_RUNTIME_DIR is invalid or not set in the environment." on
// stderr when the variable is missing or wrong: harmless, but then `error:` lines no longer mean
// errors. A directory the user owns, mode 0700 (what the XDG spec requires), silences it at its source.

/**
 * Sets XDG_RUNTIME_DIR unless it names one we can use: to `ladder-xdg-UID` in the temporary folder,
 * created 0700 once and reused by every later run of the same user (a fresh folder per run was left
 * behind whenever a process died without its unload event, as under SIGKILL); to a fresh 0700 folder,
 * removed on unload, when that name is taken by something we cannot use (another user's, a link).
 */
export function ensureRuntimeDir(): void {
  const current = Deno.env.get('XDG_RUNTIME_DIR');
  if (current && usable(current, true)) return;
  Deno.env.set('XDG_RUNTIME_DIR', sharedDir() ?? freshDir());
}

function tempRoot(): string {
  return (Deno.env.get('TMPDIR') || '/tmp').replace(/\/+$/, '') || '/';
}

/** The user's reusable folder, or null when it cannot be made or is not ours. */
function sharedDir(): string | null {
  const uid = Deno.uid();
  if (uid === null) return null;
  const dir = `${tempRoot()}/ladder-xdg-${uid}`;
  try {
    Deno.mkdirSync(dir, { mode: 0o700 });
    Deno.chmodSync(dir, 0o700); // mkdir's mode is masked by the umask
  } catch (err) {
    if (!(err instanceof Deno.errors.AlreadyExists)) return null;
  }
  return usable(dir) ? dir : null;
}

function freshDir(): string {
  const dir = Deno.makeTempDirSync({ prefix: 'ladder-xdg-' });
  Deno.chmodSync(dir, 0o700);
  globalThis.addEventListener('unload', () => {
    try { Deno.removeSync(dir, { recursive: true }); } catch { /* already gone */ }
  });
  return dir;
}

/** A directory that is ours, mode 0700; not reached through a link unless `followLinks` (the user's own setting). */
function usable(dir: string, followLinks = false): boolean {
  try {
    const st = followLinks ? Deno.statSync(dir) : Deno.lstatSync(dir);
    const uid = Deno.uid();
    return st.isDirectory && (st.mode === null || (st.mode & 0o777) === 0o700) && (uid === null || st.uid === uid);
  } catch {
    return false;
  }
}
