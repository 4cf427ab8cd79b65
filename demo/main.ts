// The demo page: pick or drop a file, edit the ladder, transcode in this tab with live per-rung
// progress and a lease timeline, then play, inspect and download the result. Public API only.
import { diagnostics, inspectHardware, MemoryTarget, transcode } from '../src/mod.ts';
import type { HardwareReport, OutputFormat, RungSpec } from '../src/mod.ts';
import { ResultsPanel } from './results.ts';
import { LeaseTimeline } from './timeline.ts';
import { describeError, rungColour } from './ui.ts';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const fileInput = $<HTMLInputElement>('file');
const drop = $<HTMLDivElement>('drop');
const picked = $<HTMLParagraphElement>('picked');
const preset = $<HTMLSelectElement>('preset');
const rungRows = $<HTMLTableSectionElement>('rungs');
const formatSelect = $<HTMLSelectElement>('format');
const policySelect = $<HTMLSelectElement>('policy');
const leasesInput = $<HTMLInputElement>('leases');
const qualityInput = $<HTMLInputElement>('quality');
const startButton = $<HTMLButtonElement>('start');
const cancelButton = $<HTMLButtonElement>('cancel');
const status = $<HTMLSpanElement>('status');
const decodeStats = $<HTMLSpanElement>('decode-stats');
const decodeBar = $<HTMLProgressElement>('decode-bar');
const rungBars = $<HTMLDivElement>('rung-bars');
const timeline = new LeaseTimeline($('timeline'));

/** One job as the page saw it (performance.now() times), kept for people and tests alike. */
export interface DemoJob {
  file: string;
  startedAt: number;
  abortedAt?: number;
  settledAt?: number;
  outcome?: 'done' | 'error' | 'cancelled';
  error?: { name: string; message: string };
  decodedFrames?: number;
  rungs?: Array<{ label: number; width: number; height: number; frames: number; bytes: number }>;
  lanes?: number;
  openFrames?: number;
}
declare global {
  interface Window { demoJobs: DemoJob[]; hardwareReport?: HardwareReport }
}
window.demoJobs = [];

let file: File | null = null;
let controller: AbortController | null = null;

const results = new ResultsPanel($('results'), (message) => setStatus(message, true));

function setStatus(text: string, error = false): void {
  status.textContent = text;
  status.classList.toggle('error', error);
}

// Ladder editor: a preset fills the rows; each row's height and bitrate stay editable.
function addRung(rung: RungSpec): void {
  const row = rungRows.insertRow();
  const height = Object.assign(document.createElement('input'), { type: 'number', min: '2', max: '4320', step: '2', value: String(rung.height), className: 'rung-height' });
  const bitrate = Object.assign(document.createElement('input'), { type: 'number', min: '50', step: '50', placeholder: 'auto', className: 'rung-bitrate' });
  if (rung.bitrate) bitrate.value = String(Math.round(rung.bitrate / 1000));
  const remove = Object.assign(document.createElement('button'), { textContent: 'Remove', type: 'button' });
  remove.onclick = () => row.remove();
  row.insertCell().append(height);
  row.insertCell().append(bitrate);
  row.insertCell().append(remove);
}
function applyPreset(): void {
  rungRows.textContent = '';
  for (const h of preset.value.split(',')) addRung({ height: Number(h) });
}
preset.onchange = applyPreset;
$<HTMLButtonElement>('add-rung').onclick = () => addRung({ height: 240 });
applyPreset();

/** The ladder as typed, checked here so a typo gets a message naming the row. */
function readLadder(): RungSpec[] {
  const rows = [...rungRows.rows];
  if (rows.length === 0) throw new RangeError('The ladder is empty: add at least one rung');
  return rows.map((row, i) => {
    const height = Number(row.querySelector<HTMLInputElement>('.rung-height')!.value);
    const kbps = row.querySelector<HTMLInputElement>('.rung-bitrate')!.value.trim();
    if (!Number.isInteger(height) || height < 2) throw new RangeError(`Rung ${i + 1}: the height must be a whole number of pixels`);
    if (kbps === '') return { height };
    const bitrate = Number(kbps) * 1000;
    if (!(bitrate > 0)) throw new RangeError(`Rung ${i + 1}: the bitrate must be a positive number of kb/s`);
    return { height, bitrate };
  });
}

function choose(f: File | undefined): void {
  if (!f) return;
  file = f;
  picked.textContent = `${f.name}: ${(f.size / (1 << 20)).toFixed(1)} MiB${f.type ? `, ${f.type}` : ''}`;
  startButton.disabled = controller !== null;
  setStatus('Ready: press Start.');
}
fileInput.onchange = () => choose(fileInput.files?.[0]);
drop.ondragover = (ev) => { ev.preventDefault(); drop.classList.add('over'); };
drop.ondragleave = () => drop.classList.remove('over');
drop.ondrop = (ev) => {
  ev.preventDefault();
  drop.classList.remove('over');
  choose(ev.dataTransfer?.files[0]);
};

cancelButton.onclick = () => {
  const job = window.demoJobs.at(-1);
  if (!controller || !job) return;
  job.abortedAt = performance.now();
  setStatus('Cancelling…');
  controller.abort();
};

function progressBars(rungs: Array<{ label: number; width: number; height: number }>): HTMLProgressElement[] {
  rungBars.textContent = '';
  return rungs.map((r, i) => {
    const row = document.createElement('div');
    row.className = 'row';
    const label = document.createElement('span');
    label.innerHTML = `<span class="swatch" style="background:${rungColour(i)}"></span>${r.label}p (${r.width}x${r.height})`;
    label.style.minWidth = '11rem';
    const bar = Object.assign(document.createElement('progress'), { max: 1, value: 0 });
    bar.style.flex = '1';
    row.append(label, bar);
    rungBars.append(row);
    return bar;
  });
}

startButton.onclick = () => { void run(); };

async function run(): Promise<void> {
  if (!file || controller) return;
  let ladder: RungSpec[];
  try {
    ladder = readLadder();
  } catch (err) {
    setStatus(describeError(err), true);
    return;
  }
  const format = formatSelect.value as OutputFormat;
  const leases = Number(leasesInput.value);
  const job: DemoJob = { file: file.name, startedAt: performance.now() };
  window.demoJobs.push(job);
  controller = new AbortController();
  startButton.disabled = true;
  cancelButton.disabled = false;
  results.clear();
  decodeBar.value = 0;
  decodeStats.textContent = 'Decode: starting…';
  setStatus(`Transcoding ${file.name}…`);
  document.body.dataset.state = 'running';
  const target = new MemoryTarget();
  let bars: HTMLProgressElement[] = [];
  let totalFrames = 0;
  const doneFrames: number[] = [];
  try {
    const result = await transcode({
      input: file,
      ladder,
      format,
      policy: policySelect.value,
      ...(leasesInput.value && leases > 0 ? { leases } : {}),
      ...(qualityInput.checked ? { qualityReport: true } : {}),
      target,
      signal: controller.signal,
      onProgress: (e) => {
        timeline.on(e);
        if (e.type === 'job-start') {
          totalFrames = e.totalFrames;
          bars = progressBars(e.rungs);
          doneFrames.length = 0;
          doneFrames.push(...e.rungs.map(() => 0));
        } else if (e.type === 'decode') {
          decodeBar.value = e.totalFrames > 0 ? e.frames / e.totalFrames : 0;
          decodeStats.textContent = `Decode: ${e.frames}/${e.totalFrames} frames, ${e.fps.toFixed(1)} fps, ETA ${e.etaSeconds === null ? '?' : `${e.etaSeconds.toFixed(0)} s`}`;
        } else if (e.type === 'chunk-done') {
          doneFrames[e.rung] = (doneFrames[e.rung] ?? 0) + e.frames;
          const bar = bars[e.rung];
          if (bar && totalFrames > 0) bar.value = Math.min(1, doneFrames[e.rung]! / totalFrames);
          if (e.etaSeconds !== null) setStatus(`Encoding… about ${e.etaSeconds.toFixed(0)} s left`);
        } else if (e.type === 'rung-completed') {
          const bar = bars[e.rung];
          if (bar) bar.value = 1;
        }
      },
    });
    job.settledAt = performance.now();
    job.outcome = 'done';
    job.decodedFrames = result.stats.decodedFrames;
    job.rungs = result.rungs.map((r) => ({ label: r.label, width: r.width, height: r.height, frames: r.frames, bytes: r.bytes }));
    setStatus(`Done in ${(result.stats.wallMs / 1000).toFixed(1)} s: ${result.rungs.map((r) => `${r.label}p`).join(', ')}.`);
    results.show(result, target.files, format);
  } catch (err) {
    job.settledAt = performance.now();
    const e = err instanceof Error ? err : new Error(String(err));
    job.outcome = e.name === 'AbortError' ? 'cancelled' : 'error';
    job.error = { name: e.name, message: e.message };
    timeline.stop();
    setStatus(job.outcome === 'cancelled' ? `Cancelled; it stopped ${((job.settledAt - (job.abortedAt ?? job.settledAt)) / 1000).toFixed(2)} s after the click.` : describeError(e), job.outcome === 'error');
  } finally {
    controller = null;
    cancelButton.disabled = true;
    startButton.disabled = file === null;
    job.lanes = timeline.lanes;
    job.openFrames = diagnostics().openFrames;
    document.body.dataset.state = job.outcome ?? 'error';
  }
}

// The capability panel: adapters and, per codec and size, hardware and software encode support.
async function showCapabilities(): Promise<void> {
  const caps = $('caps');
  try {
    const report = await inspectHardware();
    window.hardwareReport = report;
    caps.textContent = '';
    caps.classList.remove('muted');
    const adapters = report.adapters.length
      ? report.adapters.map((a) => `#${a.index} ${a.vendor || 'unknown vendor'} ${a.architecture} ${a.description}${a.isFallback ? ' (software fallback)' : ''}`.replace(/\s+/g, ' ').trim())
      : ['none (no WebGPU here: the scaler cannot run)'];
    const p = document.createElement('p');
    p.textContent = `WebGPU: ${adapters.join('; ')}. CPU threads: ${report.cores}.`;
    const table = document.createElement('table');
    table.innerHTML = '<thead><tr><th>Codec</th><th>Size</th><th>Hardware encode</th><th>Software encode</th></tr></thead>';
    const body = table.createTBody();
    for (const e of report.encode) {
      const row = body.insertRow();
      for (const t of [e.codec, `${e.width}x${e.height}`, e.hardware ? 'yes' : 'no', e.software ? 'yes' : 'no']) row.insertCell().textContent = t;
    }
    caps.append(p, table);
    for (const a of report.adapters) policySelect.append(new Option(`adapter ${a.index} only`, `adapter:${a.index}`));
    for (const v of new Set(report.adapters.map((a) => a.vendor).filter(Boolean))) policySelect.append(new Option(`${v} adapters`, `family:${v}`));
  } catch (err) {
    caps.textContent = `Could not inspect this browser: ${describeError(err)}`;
  }
}
void showCapabilities();
