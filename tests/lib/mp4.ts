// Reads what the AV1 checks need from an MP4: the av1C payload and the first video sample (found
// through stsz and stco/co64). Boxes are located with the engine's walker; ffprobe and libdav1d
// give the independent view in the tests that use this.
import { readFileSync } from 'node:fs';
import { findPaths } from '../../src/mux/isobmff.ts';

const STBL = ['moov', 'trak', 'mdia', 'minf', 'stbl'];

export function readMp4Av1(file: string): { av1c: Uint8Array; firstSample: Uint8Array } {
  const buf = new Uint8Array(readFileSync(file));
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const av1c = findPaths(buf, [...STBL, 'stsd', 'av01', 'av1C'])[0];
  if (!av1c) throw new Error(`${file}: no av01 track with an av1C`);
  const stbl = av1c[4]!;
  const inTrack = (type: string) => findPaths(buf, [...STBL, type]).find((c) => c[4]!.start === stbl.start)?.[5];
  const stsz = inTrack('stsz');
  const stco = inTrack('stco') ?? inTrack('co64');
  if (!stsz || !stco) throw new Error(`${file}: no stsz or chunk offsets in the AV1 track`);
  const size0 = dv.getUint32(stsz.start + 12) || dv.getUint32(stsz.start + 20);
  const off0 = stco.type === 'stco' ? dv.getUint32(stco.start + 16) : Number(dv.getBigUint64(stco.start + 16));
  const box = av1c[av1c.length - 1]!;
  return { av1c: buf.slice(box.start + box.header, box.end), firstSample: buf.slice(off0, off0 + size0) };
}
