// DASH playback of an output held in memory: blob URLs cannot be resolved relative to one another,
// so the MPD's SegmentTemplates become SegmentLists that name each file's blob URL, keeping every
// SegmentTimeline as written. The files themselves are played unchanged.
const MPD_NS = 'urn:mpeg:dash:schema:mpd:2011';

/** The MPD at `path` with every init and media segment replaced by `urlOf(outputPath)`. */
export function dashBlobManifest(files: Map<string, Uint8Array>, path: string, urlOf: (outputPath: string) => string): string {
  const doc = new DOMParser().parseFromString(new TextDecoder().decode(files.get(path)), 'application/xml');
  if (doc.querySelector('parsererror')) throw new Error(`Cannot play ${path}: it is not well-formed XML`);
  for (const tpl of [...doc.getElementsByTagNameNS(MPD_NS, 'SegmentTemplate')]) {
    const timeline = tpl.getElementsByTagNameNS(MPD_NS, 'SegmentTimeline')[0];
    if (!timeline) throw new Error(`Cannot play ${path}: a SegmentTemplate without a SegmentTimeline`);
    let count = 0;
    for (const s of timeline.getElementsByTagNameNS(MPD_NS, 'S')) count += 1 + Number(s.getAttribute('r') ?? 0);
    const list = doc.createElementNS(MPD_NS, 'SegmentList');
    list.setAttribute('timescale', tpl.getAttribute('timescale') ?? '1');
    const init = doc.createElementNS(MPD_NS, 'Initialization');
    init.setAttribute('sourceURL', urlOf(tpl.getAttribute('initialization')!));
    list.append(init, timeline);
    const start = Number(tpl.getAttribute('startNumber') ?? 1);
    for (let i = 0; i < count; i++) {
      const seg = doc.createElementNS(MPD_NS, 'SegmentURL');
      seg.setAttribute('media', urlOf(tpl.getAttribute('media')!.replace('$Number$', String(start + i))));
      list.append(seg);
    }
    tpl.replaceWith(list);
  }
  return new XMLSerializer().serializeToString(doc);
}
