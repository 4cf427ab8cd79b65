// Reads what the AV1 checks need from an MP4 (the av1C payload and the first video sample) with a
// sample-table walk kept to the essentials.
import { readFileSync } from 'node:fs';

interface Box { type: string; start: number; header: number; end: number }

function boxes(buf: Uint8Array, start: number, end: number): Box[] {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const out: Box[] = [];
  let p = start;
  while (p + 8 <= end) {
    let size = dv.getUint32(p);
    let header = 8;
    if (size === 1) { size = Number(dv.getBigUint64(p + 8)); header = 16; }
    else if (size === 0) size = end - p;
    const type = String.fromCharCode(...buf.subarray(p + 4, p + 8));
    out.push({ type, start: p, header, end: p + size });
    p += size;
  }
  return out;
}

function child(buf: Uint8Array, parent: Box, type: string, skip = 0): Box {
  const b = boxes(buf, parent.start + parent.header + skip, parent.end).find((x) => x.type === type);
  if (!b) throw new Error(`no ${type} box inside ${parent.type}`);
  return b;
}

export function readMp4Av1(file: string): { av1c: Uint8Array; firstSample: Uint8Array } {
  const buf = new Uint8Array(readFileSync(file));
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const moov = boxes(buf, 0, buf.length).find((b) => b.type === 'moov');
  if (!moov) throw new Error('no moov');
  for (const trak of boxes(buf, moov.start + 8, moov.end).filter((b) => b.type === 'trak')) {
    const stbl = child(buf, child(buf, child(buf, trak, 'mdia'), 'minf'), 'stbl');
    const stsd = child(buf, stbl, 'stsd');
    const entry = boxes(buf, stsd.start + 16, stsd.end)[0];
    if (entry?.type !== 'av01') continue;
    const av1cBox = child(buf, entry, 'av1C', 78);
    const stsz = child(buf, stbl, 'stsz');
    const fixed = dv.getUint32(stsz.start + 12);
    const size0 = fixed || dv.getUint32(stsz.start + 20);
    const stco = boxes(buf, stbl.start + 8, stbl.end).find((b) => b.type === 'stco' || b.type === 'co64');
    if (!stco) throw new Error('no stco/co64');
    const off0 = stco.type === 'stco' ? dv.getUint32(stco.start + 16) : Number(dv.getBigUint64(stco.start + 16));
    return { av1c: buf.slice(av1cBox.start + 8, av1cBox.end), firstSample: buf.slice(off0, off0 + size0) };
  }
  throw new Error('no av01 track');
}
