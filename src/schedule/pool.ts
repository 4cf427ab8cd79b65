// Encode policies and the lease pool they allow: one hardware lease per allowed adapter whose
// encoder accepts 'prefer-hardware' (never two hardware sessions on one adapter), plus software
// leases bounded by cores. The policy also picks the adapter that scales (and so pins the job).
import { EmptyPoolError } from '../errors.ts';
import type { FoundAdapter } from '../platform/gpu.ts';
import type { AdapterInfo } from '../types/mod.ts';

export type EncodePolicy = 'all' | 'software' | `adapter:${number}` | `family:${string}`;

export function parsePolicy(value: string): EncodePolicy {
  if (value === 'all' || value === 'software') return value;
  if (/^adapter:\d+$/.test(value)) return value as EncodePolicy;
  if (/^family:[\w-]+$/.test(value)) return value as EncodePolicy;
  throw new TypeError(`policy must be 'all', 'software', 'adapter:N' or 'family:VENDOR', got ${JSON.stringify(value)}`);
}

/** The adapters a policy allows; throws EmptyPoolError when it allows none. */
export function allowedAdapters(adapters: FoundAdapter[], policy: EncodePolicy): FoundAdapter[] {
  let allowed: FoundAdapter[];
  if (policy === 'all' || policy === 'software') allowed = adapters;
  else if (policy.startsWith('adapter:')) {
    const n = Number(policy.slice(8));
    allowed = adapters.filter((a) => a.info.index === n);
  } else {
    const family = policy.slice(7).toLowerCase();
    allowed = adapters.filter((a) => a.info.vendor.toLowerCase().includes(family));
  }
  if (allowed.length === 0) {
    const have = adapters.map((a) => `${a.info.index}:${a.info.vendor || 'unknown'}`).join(', ') || 'none';
    throw new EmptyPoolError(`Encode policy '${policy}' selects no adapter (adapters: ${have})`);
  }
  return allowed;
}

export interface LeasePlan {
  id: number;
  hardware: boolean;
  /** The adapter a hardware lease belongs to; null for software leases. */
  adapter: AdapterInfo | null;
}

export function planLeases(opts: {
  policy: EncodePolicy;
  allowed: FoundAdapter[];
  /** Whether hardware encoding is available for an adapter (browsers: WebCodecs 'prefer-hardware'). */
  hardwareFor: (a: FoundAdapter) => boolean;
  softwareLeases: number;
}): LeasePlan[] {
  const plans: LeasePlan[] = [];
  if (opts.policy !== 'software') {
    for (const a of opts.allowed) if (opts.hardwareFor(a)) plans.push({ id: plans.length, hardware: true, adapter: a.info });
  }
  for (let i = 0; i < opts.softwareLeases; i++) plans.push({ id: plans.length, hardware: false, adapter: null });
  if (plans.length === 0) throw new EmptyPoolError(`Encode policy '${opts.policy}' leaves no encoder lease`);
  return plans;
}
