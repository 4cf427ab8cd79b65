// MSB-first bit reader for AV1 header syntax (f(n) and uvlc() of the AV1 spec 4.10).
import { BitstreamError } from '../errors.ts';

export class BitReader {
  #buf: Uint8Array;
  #pos = 0;
  readonly #what: string;

  constructor(buf: Uint8Array, what: string) {
    this.#buf = buf;
    this.#what = what;
  }

  get bitPosition(): number {
    return this.#pos;
  }

  bit(): number {
    const byte = this.#buf[this.#pos >> 3];
    if (byte === undefined) throw new BitstreamError(`Cannot parse ${this.#what}: payload ends early`);
    const b = (byte >> (7 - (this.#pos & 7))) & 1;
    this.#pos++;
    return b;
  }

  /** f(n), n ≤ 32. */
  f(n: number): number {
    let v = 0;
    for (let i = 0; i < n; i++) v = v * 2 + this.bit();
    return v;
  }

  flag(): boolean {
    return this.bit() === 1;
  }

  uvlc(): number {
    let zeros = 0;
    while (this.bit() === 0) {
      zeros++;
      if (zeros >= 32) return 2 ** 32 - 1;
    }
    return this.f(zeros) + 2 ** zeros - 1;
  }
}
