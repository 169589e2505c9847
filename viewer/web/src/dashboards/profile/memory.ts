// Memory and CPU: the sampler's counters (resident memory, CPU utilisation) and any other
// counter tracks as charts over the trace's time, and the allocator's events where the trace
// has them (Kineto's [memory] instant events: allocated and reserved bytes over time).
import { h } from "../../lib/dom";
import { fmtBytes } from "../../lib/format";
import type { Trace } from "../../lib/trace";
import { lineChart } from "./charts";

export class MemoryView {
  readonly el = h("div.profile-memory");
  constructor(trace: Trace) {
    const counters = trace.tracks.filter((t) => t.kind === "counter");
    const cards: Node[] = [];
    for (const c of counters) {
      if (c.kind !== "counter") continue;
      const unit = /percent|CPU/i.test(c.label) ? "%" : /MiB|memory/i.test(c.label) ? " MiB" : "";
      cards.push(h("div.card.counter-card", { dataset: { counter: c.label } }, h("div.card-title", null, c.label),
        lineChart(c.ts, c.values, trace.start, trace.end, { unit })));
    }
    const mem = trace.memory;
    if (mem.length) {
      let peak = 0, allocs = 0, bytes = 0;
      for (const m of mem) { peak = Math.max(peak, m.allocated); if (m.bytes > 0) { allocs++; bytes += m.bytes; } }
      const ts = mem.map((m) => m.ts);
      cards.push(h("div.card.allocator-card", { dataset: { events: mem.length } }, h("div.card-title", null, "Allocator ([memory] events)"),
        h("table", null,
          h("tr", null, h("th", null, "Events"), h("td", null, mem.length.toLocaleString())),
          h("tr", null, h("th", null, "Allocations"), h("td", null, `${allocs.toLocaleString()} · ${fmtBytes(bytes)}`)),
          h("tr", null, h("th", null, "Peak allocated"), h("td", { dataset: { stat: "peak" } }, fmtBytes(peak)))),
        h("div.section-title", null, "Total allocated (bytes)"), lineChart(ts, mem.map((m) => m.allocated), trace.start, trace.end),
        mem.some((m) => m.reserved) ? [h("div.section-title", null, "Total reserved (bytes)"), lineChart(ts, mem.map((m) => m.reserved), trace.start, trace.end)] : null));
    }
    this.el.append(...(cards.length ? cards : [h("div.empty", null, "This trace has no counters and no allocator events (tblog's sampler writes CPU and memory counters unless sample_interval is 0; PyTorch: profile_memory=True).")]));
  }
  show() {}
  dispose() {}
}
