// Resample kernels specialised for one block weight pattern (filters.ts, periodicRun): the window is
// unrolled with the weights as literals, so only the taps an output really has are multiplied (the
// generic kernel multiplies every output by every window row, a third of them by zero) and no
// weight is loaded. Appended to shaders/resample.wgsl, whose bindings, uniforms and stores it uses.
import { BLOCK } from './filters.ts';
import type { BlockRun } from './filters.ts';

/** Blocks per invocation: each window row loaded feeds this many blocks' outputs. */
export const GROUP = 2;

/** The entry point every generated kernel has. */
export const FIXED_ENTRY = 'main_fixed';

// Exact: 9 significant digits round-trip an f32.
const literal = (w: number) => {
  const s = Math.fround(w).toPrecision(9);
  return s.includes('.') || s.includes('e') ? s : `${s}.0`;
};

/**
 * WGSL for `main_fixed`: pass 1 (8-bit in, `in16` false) or pass 2 (16-bit in) over the blocks of
 * `run`. Its uniforms are the generic pass's, except `filt.x` (the run's first window start) and
 * `filt.w` (the run's first block).
 */
export function fixedKernel(run: BlockRun, span: number, in16: boolean, group = GROUP): string {
  const lines: string[] = [];
  // Output j of the invocation: output j % BLOCK of its block j / BLOCK.
  const acc = (j: number, g: number) => `o${j}_${g}`;
  const outputs = BLOCK * group;
  const weight = (k: number, j: number) => {
    const local = k - Math.floor(j / BLOCK) * run.step;
    return local >= 0 && local < span ? run.weights[local * BLOCK + (j % BLOCK)]! : 0;
  };
  for (let j = 0; j < outputs; j++) for (let g = 0; g < 4; g++) lines.push(`  var ${acc(j, g)} = vec4<f32>(0.0);`);
  for (let k = 0; k < span + (group - 1) * run.step; k++) {
    const live = [...Array(outputs).keys()].filter((j) => weight(k, j) !== 0);
    if (live.length === 0) continue;
    lines.push(`  {`);
    lines.push(`    let at = col + (first + ${k}u) * perRow;`);
    if (in16) {
      lines.push(`    let a = src[at];`, `    let b = src[at + 1u];`);
      lines.push(`    let q0 = vec4<f32>(halves(a.x), halves(a.y));`, `    let q1 = vec4<f32>(halves(a.z), halves(a.w));`);
      lines.push(`    let q2 = vec4<f32>(halves(b.x), halves(b.y));`, `    let q3 = vec4<f32>(halves(b.z), halves(b.w));`);
    } else {
      lines.push(`    let a = src[at];`);
      lines.push(`    let q0 = bytes(a.x);`, `    let q1 = bytes(a.y);`, `    let q2 = bytes(a.z);`, `    let q3 = bytes(a.w);`);
    }
    for (const j of live) {
      const w = literal(weight(k, j));
      for (let g = 0; g < 4; g++) lines.push(`    ${acc(j, g)} += q${g} * ${w};`);
    }
    lines.push(`  }`);
  }
  // Acc holds one vec4 per column over the block's outputs; the accumulators here are one vec4 per
  // output over four columns.
  const blockAcc = (b: number) => [...Array(16).keys()].map((c) => {
    const g = Math.floor(c / 4);
    const lane = 'xyzw'[c % 4];
    return `vec4<f32>(${[...Array(BLOCK).keys()].map((j) => `${acc(b * BLOCK + j, g)}.${lane}`).join(', ')})`;
  });
  // Pass 1 stores two blocks at once (store16pair), pass 2 block by block. The run is whole pairs
  // (plan.ts), so no store needs a guard.
  const stores = !in16 && group === 2
    ? [`  store16pair(x, block, Acc(${blockAcc(0).join(',\n      ')}),\n    Acc(${blockAcc(1).join(',\n      ')}));`]
    : [...Array(group).keys()].map((b) => `  store${in16 ? '8' : '16'}(x, block + ${b}u, Acc(${blockAcc(b).join(',\n      ')}));`);
  return `
fn fixedBlocks(x: u32, block: u32) {
  let first = step.filt.x + (block - step.blocks.x) * ${run.step}u;
  let perRow = step.input.y;
  let col = step.input.x + x${in16 ? ' * 2u' : ''};
${lines.join('\n')}
${stores.join('\n')}
}

@compute @workgroup_size(16, 4)
fn ${FIXED_ENTRY}(@builtin(global_invocation_id) gid: vec3<u32>) {
  let block = step.blocks.x + gid.y * ${group}u;
  if (inRange(gid.x, block)) {
    fixedBlocks(gid.x, block);
  }
}
`;
}
