// VideoFrame lifetimes: every frame the engine creates or is given is registered here and closed
// through release(), so a debug count of open frames can prove none leaks.

let open = 0;

/** Registers a frame the engine now owns. */
export function adopt(frame: VideoFrame): VideoFrame {
  open++;
  return frame;
}

/** Closes a frame the engine owns. Safe to call twice on the same frame. */
export function release(frame: VideoFrame): void {
  if (frame.format === null && frame.codedWidth === 0) return; // already closed
  frame.close();
  open--;
}

/** Number of engine-owned VideoFrames not yet closed (debug aid for leak tests). */
export function openFrameCount(): number {
  return open;
}
