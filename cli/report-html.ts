/** The score report as one self-contained HTML page (inline SVG histogram, no scripts, no external assets). */
import type { ScoreReport } from '../pipeline/score-report';
import type { TopBuyerRow } from './top';

const esc = (s: unknown) => String(s ?? '').replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
const pct = (n: number, of: number) => (of ? `${((100 * n) / of).toFixed(1)}%` : '–');

function histogram(r: ScoreReport): string {
  const w = 640, h = 200, bar = w / r.bands.length;
  const max = Math.max(...r.bands.map((b) => b.users), 1);
  const bars = r.bands.map((b, i) => {
    const bh = (b.users / max) * (h - 20);
    return `<rect x="${(i * bar + 1).toFixed(1)}" y="${(h - 20 - bh).toFixed(1)}" width="${(bar - 2).toFixed(1)}" height="${bh.toFixed(1)}" fill="#3b6ea8"><title>${b.from.toFixed(2)}–${b.to.toFixed(2)}: ${b.users} users</title></rect>`;
  });
  const labels = [0, 0.25, 0.5, 0.75, 1].map((x) => `<text x="${(x * w).toFixed(0)}" y="${h - 4}" font-size="11" text-anchor="${x === 0 ? 'start' : x === 1 ? 'end' : 'middle'}">${x}</text>`);
  return `<svg width="${w}" height="${h}" role="img" aria-label="users by purchase probability">${bars.join('')}${labels.join('')}</svg>`;
}

export function reportHtml(r: ScoreReport, top: TopBuyerRow[]): string {
  const bands = r.bands.filter((b) => b.users > 0).reverse().map((b) =>
    `<tr><td>${b.from.toFixed(2)}–${b.to.toFixed(2)}</td><td>${b.users}</td><td>${pct(b.users, r.users)}</td><td>${b.predictedBuyers}</td></tr>`).join('');
  const topRows = top.map((t) => `<tr><td>${t.rank}</td><td>${t.user_id}</td><td>${t.purchase_probability.toFixed(6)}</td></tr>`).join('');
  const lineage = r.lineage.map((l) =>
    `<tr><td>${esc(l.runId)}</td><td>${esc(l.workflowId)}</td><td>${esc(l.model?.name)} v${esc(l.model?.version)}<br><code>${esc(l.model?.sha256)}</code></td>` +
    `<td>${esc(l.silver?.table)} @ ${esc(l.silver?.version)}</td><td>${esc(l.goldVersion)}</td><td>${esc(l.committedAt)}</td></tr>`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Purchase propensity ${esc(r.scoreDate)}</title>
<style>body{font:14px system-ui,sans-serif;margin:2em;max-width:60em}table{border-collapse:collapse;margin:.5em 0 1.5em}
td,th{border-bottom:1px solid #ddd;padding:.25em .75em;text-align:right}th{background:#f4f4f4}code{font-size:11px}</style></head>
<body><h1>Purchase propensity, ${esc(r.scoreDate)}</h1>
<p>${r.users} users scored; ${r.predictedBuyers} predicted buyers (${pct(r.predictedBuyers, r.users)}); mean probability
${r.meanProbability.toFixed(4)}. Gold table <code>${esc(r.goldTable)}</code> at version ${r.goldVersion}.</p>
<h2>Users by purchase probability</h2>${histogram(r)}
<table><tr><th>probability</th><th>users</th><th>share</th><th>predicted buyers</th></tr>${bands}</table>
<h2>Top buyers</h2>${top.length ? `<table><tr><th>rank</th><th>user_id</th><th>probability</th></tr>${topRows}</table>` : '<p>none for this date</p>'}
<h2>Lineage</h2><table><tr><th>run</th><th>workflow</th><th>model</th><th>Silver</th><th>Gold version</th><th>committed</th></tr>${lineage}</table>
</body></html>
`;
}
