// Money: spending by day (an SVG bar chart drawn here), by model and category; the budgets with
// what is left and when they reset.
import { get } from './api.js';
import { h, clear, money, when, table } from './dom.js';

export async function renderMoney(main) {
  const since = new Date(Date.now() - 30 * 86400e3).toISOString().slice(0, 10) + 'T00:00:00Z';
  const [byDay, byModel, byCategory] = await Promise.all(['day', 'model', 'category'].map(by => get(`/v1/costs?by=${by}&since=${since}`)));
  const budgets = byDay.budgets || [];
  clear(main,
    h('h1', null, 'Money'),
    h('h2', null, 'Budgets'),
    budgets.length ? h('div', { class: 'cards', id: 'budgets' }, budgets.map(b => h('div', { class: 'card' },
      h('strong', null, b.name), h('div', null, `${money(b.remaining)} left of ${money(b.limit)}`),
      h('div', { class: 'muted' }, `spent ${money(b.spent)}, reserved ${money(b.reserved)}`),
      h('div', { class: 'muted' }, 'resets ', when(b.resets_at)))))
      : h('p', { class: 'muted' }, 'No budget is set (config: budgets).'),
    h('h2', null, 'Spending by day (last 30 days)'),
    chart(byDay.groups || []),
    h('h2', null, 'By model'), groups(byModel.groups || []),
    h('h2', null, 'By category'), groups(byCategory.groups || []));
}

function groups(list) {
  return table(['', 'Images', 'Known cost', 'Unknown-cost images'], list.map(g => [g.key, g.images, money(g.total_usd), g.unknown_cost_images]));
}

// Bars per day, scaled to the largest day; days without spending are gaps. Unknown costs are not
// drawn as zero: the tooltip says how many images had none.
export function chart(days) {
  const W = 720, H = 220, pad = 56;
  const values = days.map(d => d.known_cost_usd || 0);
  const max = Math.max(0.01, ...values);
  const bw = days.length ? Math.min(40, Math.max(4, Math.floor((W - 2 * pad) / days.length) - 4)) : 0;
  const svg = h('svg:svg', { class: 'chart', id: 'money-chart', width: W, height: H, viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': 'spending by day' },
    h('svg:line', { class: 'axis', x1: pad, y1: H - pad, x2: W - pad, y2: H - pad }),
    h('svg:line', { class: 'axis', x1: pad, y1: pad / 2, x2: pad, y2: H - pad }),
    h('svg:text', { x: 2, y: pad / 2 + 8 }, money(max)),
    h('svg:text', { x: 2, y: H - pad }, '$0'),
    days.map((d, i) => {
      const v = d.known_cost_usd || 0;
      const bh = Math.round((H - 1.5 * pad) * v / max);
      const x = pad + 4 + i * (bw + 4);
      return h('svg:g', null,
        h('svg:rect', { class: 'bar', x, y: H - pad - bh, width: bw, height: Math.max(bh, 1) },
          h('svg:title', null, `${d.key}: ${money(d.total_usd)} over ${d.images} image(s)` + (d.unknown_cost_images ? `, ${d.unknown_cost_images} without a known cost` : ''))),
        i % Math.ceil(days.length / 8 || 1) === 0 ? h('svg:text', { x, y: H - pad + 14 }, String(d.key).slice(5)) : null);
    }),
    days.length ? null : h('svg:text', { x: W / 2 - 60, y: H / 2 }, 'no spending yet'));
  return svg;
}
