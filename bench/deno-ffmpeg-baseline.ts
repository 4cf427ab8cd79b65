// Native FFmpeg baseline for bench/deno-ladder.ts, in Deno through node-av: the same FFmpeg build
// and SVT-AV1 version the engine's Deno platform uses (Debian's ffmpeg CLI ships an older
// SVT-AV1 whose presets are not comparable). One decode, Lanczos scale to limited range per rung
// (libswscale), one libsvtav1 encoder per rung over the whole clip, GOP 2 s; each rung's OBU stream
// goes to OUT/<label>p.obu. Usage: deno run -A bench/deno-ffmpeg-baseline.ts INPUT OUT PRESET W:H:BITRATE...
import { Decoder, Demuxer, Encoder, FilterAPI } from 'node-av/api';
import { Log } from 'node-av/lib';
import { AV_LOG_ERROR } from 'node-av/constants';
import type { FFEncoderCodec } from 'node-av/constants';

Log.setLevel(AV_LOG_ERROR);
if (!Deno.env.get('SVT_LOG')) Deno.env.set('SVT_LOG', '1');
const [input, out, presetArg, ...specs] = Deno.args;
if (!input || !out || !presetArg || specs.length === 0) throw new Error('usage: INPUT OUT PRESET W:H:BITRATE...');
const rungs = specs.map((s) => { const [w, h, b] = s.split(':').map(Number); return { w: w!, h: h!, bitrate: b! }; });
await Deno.mkdir(out, { recursive: true });

await using demux = await Demuxer.open(input);
const stream = demux.video();
if (!stream) throw new Error('no video stream');
const fps = stream.avgFrameRate.num / stream.avgFrameRate.den;
using decoder = await Decoder.create(stream);
const lanes = await Promise.all(rungs.map(async (r) => ({
  r,
  filter: FilterAPI.create(`scale=${r.w}:${r.h}:flags=lanczos:out_range=tv,format=yuv420p,setsar=1`),
  encoder: await Encoder.create('libsvtav1' as FFEncoderCodec, {
    bitrate: r.bitrate, gopSize: Math.round(2 * fps), options: { preset: Number(presetArg) } as never,
    configure: (ctx) => { ctx.framerate = stream.avgFrameRate; ctx.timeBase = stream.timeBase; },
  }),
  file: await Deno.open(`${out}/${r.h}p.obu`, { write: true, create: true, truncate: true }),
})));

async function encode(lane: (typeof lanes)[number], frame: Parameters<FilterAPI['process']>[0]): Promise<void> {
  const filtered = frame ? await lane.filter.processAll(frame) : [];
  if (!frame) { await lane.filter.flush(); for await (const f of lane.filter.flushFrames()) filtered.push(f); }
  for (const f of filtered) for await (const p of lane.encoder.packets(f)) if (p?.data) await lane.file.write(p.data);
  if (!frame) for await (const p of lane.encoder.flushPackets()) if (p.data) await lane.file.write(p.data);
}

for await (const frame of decoder.frames(demux.packets(stream.index))) {
  if (!frame) break;
  await Promise.all(lanes.map((l) => encode(l, frame)));
  frame.free();
}
await Promise.all(lanes.map((l) => encode(l, null)));
for (const l of lanes) { l.file.close(); l.encoder.close(); l.filter.close(); }
Deno.exit(0);
