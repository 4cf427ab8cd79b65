// MSB-first bit reader for AV1 header syntax: f(n) and uvlc() of the AV1 spec (4.10).
import { BitstreamError } from '../errors.ts';

export class BitReader {
  readonly #buf: Uint8Array;
  #pos = 0;
  /** What is being parsed, for error messages: "Cannot parse <what>: …". */
  readonly #what: string;

  constructor(buf: Uint8Array, what: string) {
    this.#buf = buf;
    this.#what = what;
  }

  get bitPosition(): number {
    return this.#pos;
  }

  get bitsLeft(): number {
    return this.#buf.length * 8 - this.#pos;
  }

  bit(): number {
    const byte = this.#buf[this.#pos >> 3];
    if (byte === undefined) throw new BitstreamError(`Cannot parse ${this.#what}: payload ends early at bit ${this.#pos}`);
    const b = (byte >> (7 - (this.#pos & 7))) & 1;
    this.#pos++;
    return b;
  }

  /** f(n), n ≤ 32. Built by multiplication so 32-bit values stay unsigned. */
  f(n: number): number {
    let v = 0;
    for (let i = 0; i < n; i++) v = v * 2 + this.bit();
    return v;
  }

  flag(): boolean {
    return this.bit() === 1;
  }

  uvlc(): number {
    let leadingZeros = 0;
    // The spec reads every leading zero up to the terminating 1 even past 32, so the reader
    // must too, or it would end up in the wrong place.
    while (this.bit() === 0) leadingZeros++;
    if (leadingZeros >= 32) return 2 ** 32 - 1;
    return this.f(leadingZeros) + 2 ** leadingZeros - 1;
  }

  /** Throws "Cannot parse <what>: <reason>". */
  fail(reason: string): never {
    throw new BitstreamError(`Cannot parse ${this.#what}: ${reason}`);
  }
}
