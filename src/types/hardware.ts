// What the engine knows of the machine: WebGPU adapters, the hardware inspection report, and an
// adapter's load as the balancer saw it.

/** A WebGPU adapter as the engine names it (src/platform/gpu.ts finds them). */
export interface AdapterInfo {
  index: number;
  vendor: string;
  architecture: string;
  description: string;
  isFallback: boolean;
}

export interface EncodeSupport {
  codec: string;
  width: number;
  height: number;
  hardware: boolean;
  software: boolean;
}

export interface HardwareReport {
  adapters: AdapterInfo[];
  cores: number;
  encode: EncodeSupport[];
}

/** An adapter's state at the moment of a decision, reported with the decision ("why"). */
export interface AdapterLoad {
  index: number;
  weight: number;
  /** Load before this job was added. */
  load: number;
  /** load × maxWeight ÷ weight; the least wins (Infinity: weight 0, never chosen). */
  score: number;
}
