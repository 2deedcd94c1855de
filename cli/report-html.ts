/**
 * The score report as one self-contained HTML page: inline SVG charts and CSS, no scripts, no external assets,
 * so it opens offline, from a mail attachment or a file share, the same everywhere. Exact numbers travel in
 * data-value attributes beside the rounded text, so a test can compare the page with `report --json`.
 */
import type { ScoreReport } from '../pipeline/score-report';
import type { Decile } from '../pipeline/report-deciles';
import type { Psi } from '../pipeline/report-drift';
import type { TopBuyerRow } from './top';

const esc = (s: unknown) => String(s ?? '').replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
const pct = (n: number, of: number) => (of ? `${((100 * n) / of).toFixed(1)}%` : '–');
const fixed = (x: number | null | undefined, digits: number) => (x === null || x === undefined ? '–' : x.toFixed(digits));
/** A table cell showing `x` rounded, with the exact value for machines. */
const cell = (x: number | null | undefined, digits: number) => `<td data-value="${x ?? ''}">${fixed(x, digits)}</td>`;
/** A probability: 4 decimals, or 3 significant digits below 0.001 (a model's low scores are not all "0.0000"). */
const probability = (x: number) => `<td data-value="${x}">${x !== 0 && Math.abs(x) < 0.001 ? x.toPrecision(3) : x.toFixed(4)}</td>`;

const W = 660, H = 230, LEFT = 72, BOTTOM = 24, TOP = 20; // LEFT fits a "10,000,000" tick label
const PLOT_W = W - LEFT - 24, PLOT_H = H - BOTTOM - TOP;
const svgOpen = (id: string, label: string) => `<svg id="${id}" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(label)}">`;
const text = (x: number, y: number, s: string, anchor = 'middle') => `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" font-size="11" text-anchor="${anchor}">${esc(s)}</text>`;
const line = (x1: number, y1: number, x2: number, y2: number, style = 'stroke="#999"') => `<line x1="${x1.toFixed(1)}" y1="${y1.toFixed(1)}" x2="${x2.toFixed(1)}" y2="${y2.toFixed(1)}" ${style}/>`;
/** x axis of a plot: a baseline and labels at the given fractions of the width. */
const xAxis = (ticks: [number, string][]) => line(LEFT, TOP + PLOT_H, LEFT + PLOT_W, TOP + PLOT_H) + ticks.map(([f, s]) => text(LEFT + f * PLOT_W, H - 6, s)).join('');

/**
 * Users by probability, counts on a log scale (height ∝ log10(1 + users)): one user in a band is a visible bar
 * beside a band of a million, which a linear scale would draw a few pixels tall or not at all.
 */
function histogram(r: ScoreReport): string {
  const max = Math.max(...r.bands.map((b) => b.users), 1);
  const top = Math.ceil(Math.log10(max + 1) * 10) / 10 || 1;
  const y = (users: number) => TOP + PLOT_H - (Math.log10(1 + users) / top) * PLOT_H;
  const bw = PLOT_W / r.bands.length;
  const bars = r.bands.flatMap((b, i) => (b.users === 0 ? [] : [
    `<rect class="bar" x="${(LEFT + i * bw + 0.5).toFixed(1)}" y="${y(b.users).toFixed(1)}" width="${(bw - 1).toFixed(1)}" height="${(TOP + PLOT_H - y(b.users)).toFixed(1)}" fill="#3b6ea8">` +
      `<title>${b.from.toFixed(2)}–${b.to.toFixed(2)}: ${b.users} users</title></rect>`,
  ]));
  const yTicks: string[] = [];
  for (let p = 0; 10 ** p <= max * 10 && p <= 12; p++) {
    if (Math.log10(1 + 10 ** p) > top) break;
    yTicks.push(line(LEFT - 4, y(10 ** p), LEFT + PLOT_W, y(10 ** p), 'stroke="#eee"') + text(LEFT - 6, y(10 ** p) + 4, (10 ** p).toLocaleString('en-US'), 'end'));
  }
  return svgOpen('histogram', 'users by purchase probability, log scale') + yTicks.join('') + bars.join('') + text(LEFT - 40, 12, 'users (log scale)', 'start') +
    xAxis([0, 0.2, 0.4, 0.6, 0.8, 1].map((x) => [x, String(x)])) + '</svg>';
}

/** Lift by decile: a bar per decile, and the dashed line of lift 1 (no better than picking users at random). */
function liftChart(deciles: Decile[]): string {
  const max = Math.max(1.5, ...deciles.map((d) => d.lift ?? 0)) * 1.1;
  const y = (v: number) => TOP + PLOT_H - (v / max) * PLOT_H;
  const bw = PLOT_W / deciles.length;
  const bars = deciles.map((d, i) => `<rect class="bar" x="${(LEFT + i * bw + 4).toFixed(1)}" y="${y(d.lift ?? 0).toFixed(1)}" width="${(bw - 8).toFixed(1)}" ` +
    `height="${(TOP + PLOT_H - y(d.lift ?? 0)).toFixed(1)}" fill="#3b8a5a"><title>decile ${d.decile}: lift ${fixed(d.lift, 2)}</title></rect>` +
    text(LEFT + (i + 0.5) * bw, y(d.lift ?? 0) - 3, fixed(d.lift, 2)));
  const ticks = [0, 1, 2, 3, 4, 5, 6, 8, 10].filter((t) => t < max).map((t) => text(LEFT - 6, y(t) + 4, String(t), 'end')).join('');
  return svgOpen('lift', 'lift by decile') + ticks + bars.join('') + line(LEFT, y(1), LEFT + PLOT_W, y(1), 'stroke="#c33" stroke-dasharray="5 4"') +
    xAxis(deciles.map((d, i) => [(i + 0.5) / deciles.length, String(d.decile)])) + '</svg>';
}

/** Cumulative gain: share of all buyers reached by targeting the top deciles, against the diagonal of random picks. */
function gainChart(deciles: Decile[]): string {
  const x = (f: number) => LEFT + f * PLOT_W;
  const y = (f: number) => TOP + PLOT_H - f * PLOT_H;
  const points = [[0, 0], ...deciles.map((d) => [d.cumulativeUsers, d.cumulativeGain ?? 0])];
  const dots = deciles.map((d) => `<circle cx="${x(d.cumulativeUsers).toFixed(1)}" cy="${y(d.cumulativeGain ?? 0).toFixed(1)}" r="3" fill="#3b6ea8"><title>top ${(100 * d.cumulativeUsers).toFixed(0)}% of users: ${pct(d.cumulativeGain ?? 0, 1)} of buyers</title></circle>`);
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => line(LEFT - 4, y(f), LEFT + PLOT_W, y(f), 'stroke="#eee"') + text(LEFT - 6, y(f) + 4, `${f * 100}%`, 'end')).join('');
  return svgOpen('gain', 'cumulative gain') + ticks + line(x(0), y(0), x(1), y(1), 'stroke="#c33" stroke-dasharray="5 4"') +
    `<polyline points="${points.map(([a, b]) => `${x(a).toFixed(1)},${y(b).toFixed(1)}`).join(' ')}" fill="none" stroke="#3b6ea8" stroke-width="2"/>` + dots.join('') +
    xAxis([0, 0.2, 0.4, 0.6, 0.8, 1].map((f) => [f, `${f * 100}%`])) + '</svg>';
}

function decileTable(r: ScoreReport): string {
  const labelled = r.labels.available;
  const head = ['decile', 'users', 'mean probability', 'min', 'max', ...(labelled ? ['labelled', 'actual buyers', 'buyer rate', 'lift', 'cumulative gain'] : [])];
  const rows = r.deciles.map((d) => `<tr data-decile="${d.decile}"><td>${d.decile}</td><td data-value="${d.users}">${d.users}</td>` +
    probability(d.meanProbability) + probability(d.minProbability) + probability(d.maxProbability) +
    (labelled ? `<td data-value="${d.labelled}">${d.labelled}</td><td data-value="${d.buyers}">${d.buyers}</td>${cell(d.rate, 4)}<td class="lift" data-value="${d.lift ?? ''}">${fixed(d.lift, 2)}</td>${cell(d.cumulativeGain, 3)}` : '') +
    '</tr>').join('');
  return `<table id="deciles"><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr>${rows}</table>`;
}

function labelsSection(r: ScoreReport): string {
  const l = r.labels;
  if (!l.available) return `<h2>Lift and cumulative gain</h2><p class="none" id="no-labels">No labels for ${esc(r.scoreDate)}, so no actual buyers, lift or gain: ${esc(l.reason)}.</p>`;
  return `<h2>Lift and cumulative gain</h2>
<p>Labels from <code>${esc(l.table)}</code> (snapshot_date ${esc(r.scoreDate)}, purchased in the next 7 days): ${l.buyers} buyers among ${l.labelled} labelled users
(rate ${fixed(l.rate, 4)})${l.unlabelled ? `; ${l.unlabelled} scored users have no label and are left out of rates` : ''}.
Lift: a decile's buyer rate over the overall rate (1 = no better than random). Cumulative gain: the share of all buyers in the top deciles.</p>
<div class="charts"><figure>${liftChart(r.deciles)}<figcaption>Lift by decile (1 = highest probabilities)</figcaption></figure>
<figure>${gainChart(r.deciles)}<figcaption>Cumulative gain: share of buyers reached vs share of users targeted</figcaption></figure></div>`;
}

const status = (p: Psi) => `<span class="status ${p.status ?? 'none'}">${p.status ?? 'no data'}</span>`;

function driftSection(r: ScoreReport): string {
  const d = r.drift;
  if (!d.available) return `<h2>Drift</h2><p class="none" id="no-drift">No drift comparison: ${esc(d.reason)}.</p>`;
  const rows = [...(d.scores ? [d.scores] : []), ...[...d.features].sort((a, b) => (b.psi ?? -1) - (a.psi ?? -1))]
    .map((p) => `<tr class="${p.status ?? ''}" data-feature="${esc(p.name)}"><td>${esc(p.name)}</td>${cell(p.psi, 4)}<td>${status(p)}</td><td>${p.baselineRows}</td><td>${p.currentRows}</td><td>${p.bins.length}</td></tr>`).join('');
  return `<h2>Drift against ${esc(d.previousDate)}</h2>
<p>Population stability index (PSI) of the scores and of each Silver feature between ${esc(d.previousDate)} (baseline) and ${esc(r.scoreDate)}.
Above ${d.thresholds.drift} is <span class="status drift">drift</span>, ${d.thresholds.watch}–${d.thresholds.drift} <span class="status watch">watch</span>.
Bins: ${esc(d.bins)}; an empty bin counts as a share of 0.0001.
Features: ${d.featuresFrom === 'model' ? 'the model\'s inputs, as its run recorded them' : 'every numeric Silver column but user_id (the run recorded no feature list)'}, from <code>${esc(d.silverTable)}</code>.</p>
<table id="drift"><tr><th>column</th><th>PSI</th><th>status</th><th>rows ${esc(d.previousDate)}</th><th>rows ${esc(r.scoreDate)}</th><th>bins</th></tr>${rows}</table>
${d.featuresReason ? `<p class="none" id="no-feature-drift">Features not compared: ${esc(d.featuresReason)}.</p>` : ''}`;
}

export function reportHtml(r: ScoreReport, top: TopBuyerRow[]): string {
  const bands = r.bands.filter((b) => b.users > 0).reverse().map((b) =>
    `<tr><td>${b.from.toFixed(2)}–${b.to.toFixed(2)}</td><td>${b.users}</td><td>${pct(b.users, r.users)}</td><td>${b.predictedBuyers}</td></tr>`).join('');
  const topRows = top.map((t) => `<tr><td>${t.rank}</td><td>${t.user_id}</td><td>${t.purchase_probability.toFixed(6)}</td></tr>`).join('');
  const lineage = r.lineage.map((l) =>
    `<tr><td>${esc(l.runId)}</td><td>${esc(l.workflowId)}</td><td>${esc(l.model?.name)} v${esc(l.model?.version)}<br><code>sha256 ${esc(l.model?.sha256)}</code></td>` +
    `<td>${esc(l.silver?.table)} @ ${esc(l.silver?.version)}</td><td>${esc(l.goldVersion)}</td><td>${esc(l.committedAt)}</td></tr>`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Purchase propensity ${esc(r.scoreDate)}</title>
<style>body{font:14px system-ui,sans-serif;margin:2em;max-width:70em;color:#222}table{border-collapse:collapse;margin:.5em 0 1.5em}
td,th{border-bottom:1px solid #ddd;padding:.25em .75em;text-align:right}th{background:#f4f4f4}td:first-child,th:first-child{text-align:left}
code{font-size:11px}.charts{display:flex;flex-wrap:wrap;gap:1em}figure{margin:0}figcaption{font-size:12px;color:#555}
.status{padding:0 .4em;border-radius:3px}.status.drift{background:#f8d0d0;color:#900;font-weight:bold}.status.watch{background:#fbe8b0;color:#7a5200}
.status.stable{color:#2a6a3a}tr.drift td{background:#fdf0f0}.none{color:#555;font-style:italic}#lineage td,#lineage th{text-align:left;vertical-align:top}#lineage td:nth-child(2){white-space:nowrap}#lineage td:first-child{word-break:break-all;min-width:10em}#lineage code{word-break:break-all}</style></head>
<body><h1>Purchase propensity, ${esc(r.scoreDate)}</h1>
<p id="summary">${r.users} users scored; ${r.predictedBuyers} predicted buyers (${pct(r.predictedBuyers, r.users)}); mean probability
${r.meanProbability.toFixed(4)}. Gold table <code>${esc(r.goldTable)}</code> at version ${r.goldVersion}.</p>
<h2>Lineage</h2><table id="lineage"><tr><th>run</th><th>workflow</th><th>model</th><th>Silver table @ version</th><th>Gold version</th><th>committed</th></tr>${lineage}</table>
<h2>Users by purchase probability</h2>
<figure>${histogram(r)}<figcaption>Users per probability band of ${(1 / r.bands.length).toFixed(2)}, log scale: a band with a single user still shows.</figcaption></figure>
<details><summary>Users per band</summary><table id="bands"><tr><th>probability</th><th>users</th><th>share</th><th>predicted buyers</th></tr>${bands}</table></details>
<h2>Deciles</h2><p>Users ranked by probability, highest first (ties by user_id), in ten groups of equal size.</p>${decileTable(r)}
${labelsSection(r)}
${driftSection(r)}
<h2>Top buyers</h2>${top.length ? `<table id="top"><tr><th>rank</th><th>user_id</th><th>probability</th></tr>${topRows}</table>` : '<p class="none">none for this date</p>'}
</body></html>
`;
}
