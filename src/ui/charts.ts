// Inline SVG charts (no script): a sparkline for issue rows and a bar chart for event volume. Pure.
import { html, type SafeHtml } from "./html.ts";

/** A bar sparkline of counts, scaled to the largest value; labelled with the total for screen readers. */
export function sparkline(values: readonly number[], width = 96, height = 24): SafeHtml {
  const max = Math.max(1, ...values);
  const total = values.reduce((a, b) => a + b, 0);
  const w = values.length > 0 ? width / values.length : width;
  const bars = values.map((v, i) => {
    const h = v === 0 ? 1 : Math.max(2, (v / max) * height);
    return html`<rect x="${(i * w).toFixed(2)}" y="${(height - h).toFixed(2)}" width="${Math.max(1, w - 1).toFixed(2)}" height="${h.toFixed(2)}"${v === 0 ? html` class="zero"` : ""}></rect>`;
  });
  return html`<svg class="spark" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${total} events in the period">${bars}</svg>`;
}

export interface Bar {
  label: string;
  value: number;
}

/** A bar chart with a title per bar (hover) and the peak value on the axis. */
export function barChart(bars: readonly Bar[], width = 320, height = 64, unit = "events"): SafeHtml {
  const max = Math.max(1, ...bars.map((b) => b.value));
  const total = bars.reduce((n, b) => n + b.value, 0);
  const w = bars.length > 0 ? width / bars.length : width;
  const rects = bars.map((b, i) => {
    const h = b.value === 0 ? 1 : Math.max(2, (b.value / max) * (height - 12));
    return html`<rect x="${(i * w).toFixed(2)}" y="${(height - h).toFixed(2)}" width="${Math.max(1, w - 1.5).toFixed(2)}" height="${h.toFixed(2)}"${b.value === 0 ? html` class="zero"` : ""}><title>${b.label}: ${b.value}</title></rect>`;
  });
  return html`<svg class="bars" viewBox="0 0 ${width} ${height}" preserveAspectRatio="none" role="img" aria-label="${total} ${unit}; peak ${max}">${rects}<text x="2" y="10">${max}</text></svg>`;
}

/** Buckets (start, count) rows into `n` consecutive buckets of `size` seconds ending with the bucket of `now`. */
export function bucketize(
  rows: readonly { at: number; n: number }[],
  now: number,
  size: number,
  n: number,
): number[] {
  const last = Math.floor(now / size);
  const out = new Array<number>(n).fill(0);
  for (const r of rows) {
    const i = n - 1 - (last - Math.floor(r.at / size));
    if (i >= 0 && i < n) out[i] = (out[i] ?? 0) + r.n;
  }
  return out;
}

/** One bucket of a stacked chart: its label and a count per series (e.g. per log level). */
export interface StackedBar {
  label: string;
  values: Record<string, number>;
}

/** Bars stacked by series, bottom to top in `series` order, each segment classed `s-<series>`. */
export function stackedBarChart(
  bars: readonly StackedBar[],
  series: readonly string[],
  width = 480,
  height = 72,
): SafeHtml {
  const totals = bars.map((b) => series.reduce((n, s) => n + (b.values[s] ?? 0), 0));
  const max = Math.max(1, ...totals);
  const w = bars.length > 0 ? width / bars.length : width;
  const rects = bars.map((b, i) => {
    let y = height;
    const parts = series.flatMap((s) => {
      const v = b.values[s] ?? 0;
      if (v === 0) return [];
      const h = Math.max(1, (v / max) * (height - 12));
      y -= h;
      return [
        html`<rect class="s-${s}" x="${(i * w).toFixed(2)}" y="${y.toFixed(2)}" width="${Math.max(1, w - 1.5).toFixed(2)}" height="${h.toFixed(2)}"><title>${b.label} · ${s}: ${v}</title></rect>`,
      ];
    });
    return parts.length > 0
      ? parts
      : html`<rect class="zero" x="${(i * w).toFixed(2)}" y="${height - 1}" width="${Math.max(1, w - 1.5).toFixed(2)}" height="1"><title>${b.label}: 0</title></rect>`;
  });
  const total = totals.reduce((a, b) => a + b, 0);
  return html`<svg class="bars stacked" viewBox="0 0 ${width} ${height}" preserveAspectRatio="none" role="img" aria-label="${total} log records; peak ${max} per bucket">${rects}<text x="2" y="10">${max}</text></svg>`;
}
