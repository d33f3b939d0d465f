// Generate: from a template or a prompt, a model the category allows, variations; the expected
// cost and the budget left before submitting; then the batch's live progress until its images appear,
// from the server's event stream (opened with the page, so no event of the batch is missed;
// polling only while the stream is not open).
import { get, post, query, live } from './api.js';
import { h, clear, flash, money, field, select, when } from './dom.js';
import { session, studioData } from './state.js';

const FINAL = new Set(['succeeded', 'failed', 'cancelled', 'content_filtered']);

export async function renderGenerate(main, { params }) {
  if (!session.can('operator')) { clear(main, h('h1', null, 'Generate'), h('p', null, 'Your role may not generate or spend.')); return; }
  const studio = await studioData(true);
  const costs = await get('/v1/costs?by=category').catch(() => ({ budgets: [] }));

  const mode = select('mode', [['template', 'From a template'], ['prompt', 'From a prompt']], params.get('template') || !params.get('prompt') ? 'template' : 'prompt');
  const template = select('template', studio.templates.map(t => [t.name, `${t.name} (${t.category})`]), params.get('template') || (studio.templates[0] || {}).name);
  const prompt = h('textarea', { name: 'prompt', rows: 3, cols: 60, placeholder: 'a ceramic teapot on a wooden table' });
  const category = select('category', studio.categories.length ? studio.categories : ['product'], params.get('category') || studio.categories[0]);
  const model = h('select', { name: 'model' });
  const variations = h('input', { name: 'variations', type: 'number', min: 1, max: 16, value: params.get('variations') || 1 });
  const profile = h('input', { name: 'profile', size: 12, placeholder: 'optional' });
  const estimate = h('div', { class: 'card', id: 'estimate' });
  const progress = h('div', { id: 'batch-progress' });
  const submit = h('button', { type: 'submit', class: 'primary', id: 'generate-submit' }, 'Generate');
  const promptRow = field('Prompt', prompt);
  const templateRow = field('Template', template);
  const categoryRow = field('Category', category);

  function selectedCategory() {
    if (mode.value === 'template') {
      const t = studio.templates.find(x => x.name === template.value);
      return t ? t.category : '';
    }
    return category.value;
  }

  // Only models that may make this category's images: adult categories need a provider that allows them.
  function fillModels() {
    const cat = selectedCategory();
    const adult = studio.adultCategories.has(cat);
    const allowed = studio.models.filter(m => !adult || m.nsfw_allowed);
    const t = studio.templates.find(x => x.name === template.value);
    const preferred = mode.value === 'template' && t && t.model ? t.model : model.value;
    clear(model, h('option', { value: '' }, 'default'), allowed.map(m => h('option', { value: m.name, selected: m.name === preferred }, m.name)));
  }

  function paint() {
    promptRow.hidden = mode.value !== 'prompt';
    categoryRow.hidden = mode.value !== 'prompt';
    templateRow.hidden = mode.value !== 'template';
    fillModels();
    paintEstimate();
  }

  function paintEstimate() {
    const n = Math.max(1, Math.min(16, Number(variations.value) || 1));
    const m = studio.models.find(x => x.name === model.value) || studio.models.find(x => x.name === (studio.templates.find(t => t.name === template.value) || {}).model) || studio.models[0];
    const per = m ? m.cost_per_image : null;
    const total = per === null || per === undefined ? null : per * n;
    const cat = selectedCategory();
    const budgets = (costs.budgets || []).filter(b => !b.name.includes(':') || b.name.endsWith(':' + cat));
    clear(estimate,
      h('div', null, 'Expected cost: ', h('strong', { id: 'expected-cost' }, total === null ? 'unknown (the model has no price)' : money(total)),
        m ? ` (${n} × ${money(per)} on ${m.name})` : ''),
      budgets.length ? budgets.map(b => h('div', { class: total !== null && total > b.remaining ? 'warn' : '' },
        `Budget ${b.name}: ${money(b.remaining)} left of ${money(b.limit)}, resets ${when(b.resets_at)}`))
        : h('div', { class: 'muted' }, 'No budget is set.'));
  }

  const form = h('form', { id: 'generate-form' },
    field('Source', mode), templateRow, promptRow, categoryRow, field('Model', model),
    field('Variations', variations), field('Profile', profile), estimate, submit);
  for (const c of [mode, template, category, model, variations]) c.addEventListener('change', paint);
  variations.addEventListener('input', paintEstimate);
  form.addEventListener('submit', async e => {
    e.preventDefault();
    const body = { variations: Number(variations.value) || 1 };
    if (mode.value === 'template') body.template = template.value;
    else { body.prompt = prompt.value; body.category = category.value; }
    if (model.value) body.model = model.value;
    if (profile.value.trim()) body.profile = profile.value.trim();
    submit.disabled = true;
    try {
      const r = await post('/v1/generations', body);
      flash(`queued batch ${r.batch_id}`);
      watch(r);
    } catch (err) {
      flash(err.message, true);
    } finally {
      submit.disabled = false;
    }
  });

  // Events seen since the page opened, so a batch that finishes before its watch starts still
  // gets its progress from the stream.
  const recent = [];
  let onBatchEvent = null;
  let onBatchPoll = null;
  const feed = live({
    interval: 1000,
    poll: () => { if (onBatchPoll) onBatchPoll(); },
    onEvent: (type, data) => {
      recent.push([type, data]);
      if (recent.length > 500) recent.shift();
      if (onBatchEvent) onBatchEvent(type, data);
    },
  });

  function watch(first) {
    let jobs = (first.jobs || []).map(j => ({ ...j }));
    let finished = false;
    let via = 'request';
    async function refresh() {
      if (finished) return;
      try { jobs = (await get('/v1/jobs' + query({ batch: first.batch_id, limit: 100 }))).jobs; via = 'polling'; } catch (e) { flash(e.message, true); }
      progressed();
    }
    function apply(type, data) {
      if (finished) return;
      if (type === 'reset') { refresh(); return; }
      if (!type.startsWith('job.') || data.batch_id !== first.batch_id) return;
      const job = jobs.find(j => j.id === data.job_id);
      if (job) job.state = data.state; else jobs.push({ id: data.job_id, state: data.state, error_message: data.error_code || '' });
      via = 'stream';
      progressed();
    }
    async function progressed() {
      draw();
      if (!finished && jobs.length && jobs.every(j => FINAL.has(j.state))) {
        finished = true;
        onBatchEvent = null;
        onBatchPoll = null;
        const details = await Promise.all(jobs.map(j => get('/v1/jobs/' + encodeURIComponent(j.id)).catch(() => ({ images: [] }))));
        for (const d of details) { const j = jobs.find(x => x.id === (d.job || d).id); if (j && d.error_message) j.error_message = d.error_message; }
        draw(details.flatMap(d => d.images || []));
      }
    }
    function draw(images) {
      const done = jobs.filter(j => FINAL.has(j.state)).length;
      const pct = jobs.length ? Math.round(100 * jobs.reduce((s, j) => s + (FINAL.has(j.state) ? 1 : Math.min(0.99, j.progress || 0)), 0) / jobs.length) : 0;
      const bar = h('div');
      bar.style.width = pct + '%';
      clear(progress,
        h('h2', null, `Batch ${first.batch_id}`),
        h('p', { id: 'batch-state', dataset: { state: done === jobs.length ? 'done' : 'running', via } },
          h('span', { class: 'progress' }, bar), ` ${done} of ${jobs.length} job(s) finished (${pct}%)`),
        h('ul', null, jobs.map(j => h('li', null, j.id, ': ', j.state, j.error_message ? ' — ' + j.error_message : ''))),
        images ? h('div', { class: 'grid', id: 'batch-images' }, images.map(i => h('a', { href: '#/image/' + encodeURIComponent(i.image_id), class: 'tile' },
          h('img', { class: 'thumb', alt: i.category + ' image', src: `/v1/images/${encodeURIComponent(i.image_id)}/thumbnail` })))) : null,
        images ? h('p', null, h('a', { href: '#/gallery' }, 'Open the gallery')) : null);
    }
    onBatchEvent = apply;
    onBatchPoll = refresh;
    draw();
    for (const [type, data] of recent) apply(type, data);
    // Without the stream, ask once now; the feed polls from then on until it opens.
    if (feed.status() !== 'stream') refresh();
  }

  clear(main, h('h1', null, 'Generate'), form, progress);
  paint();
  return () => feed.close();
}
