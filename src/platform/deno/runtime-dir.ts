// Gives Deno's WebGPU a private XDG runtime directory when the environment has no usable one.
// Mesa's Vulkan loader, which wgpu opens on the first requestAdapter(), probes for a Wayland display
// and libwayland prints "error: XDG_RUNTIME_DIR is invalid or not set in the environment." on
// stderr when the variable is missing or wrong: harmless, but then `error:` lines no longer mean
// errors. A directory the user owns, mode 0700 (what the XDG spec requires), silences it at its source.

/** Sets XDG_RUNTIME_DIR to a fresh 0700 temporary directory unless it names one we can use; removed on unload. */
export function ensureRuntimeDir(): void {
  const current = Deno.env.get('XDG_RUNTIME_DIR');
  if (current && usable(current)) return;
  const dir = Deno.makeTempDirSync({ prefix: 'ladder-xdg-' });
  Deno.chmodSync(dir, 0o700);
  Deno.env.set('XDG_RUNTIME_DIR', dir);
  globalThis.addEventListener('unload', () => {
    try { Deno.removeSync(dir, { recursive: true }); } catch { /* already gone */ }
  });
}

function usable(dir: string): boolean {
  try {
    const st = Deno.statSync(dir);
    const uid = Deno.uid();
    return st.isDirectory && (st.mode === null || (st.mode & 0o777) === 0o700) && (uid === null || st.uid === uid);
  } catch {
    return false;
  }
}
