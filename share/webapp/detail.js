// One image: the large view, its derivatives, the metadata record, cost and quality, the version
// chain, editable tags, the prompt (when the server shows it to this user), and the actions.
import { get, post } from './api.js';
import { h, clear, flash, money, when, table } from './dom.js';
import { session, isAdult } from './state.js';
import { reviewState, ratingOf, rate, approve, reject, stars, rejectReason, reservationOf, reserve, release, releaseQuarantine } from './review.js';
import { askReason } from './reason.js';

export async function renderDetail(main, { arg }) {
  const id = arg || '';
  const rec = await get('/v1/images/' + encodeURIComponent(id));
  if (isAdult(rec) && !session.adult) {
    clear(main, h('h1', null, 'Not shown'), h('p', null, 'This image is in an adult category; an admin must mark your account as an adult to see it.'));
    return;
  }
  const versions = await get(`/v1/images/${encodeURIComponent(id)}/versions`).then(v => v.versions).catch(() => []);
  let revealed = !isAdult(rec);
  const large = h('img', { class: revealed ? 'large' : 'large blurred', id: 'detail-image', alt: rec.category + ' image',
    src: `/v1/images/${encodeURIComponent(id)}/file` });
  const reveal = h('button', { type: 'button', hidden: revealed, onclick: () => { revealed = true; large.classList.remove('blurred'); reveal.hidden = true; } }, 'Reveal adult image');

  const canReview = session.can('reviewer');
  const canGenerate = session.can('operator');
  const reviewLine = h('span', { id: 'detail-review' });
  const paintReview = () => clear(reviewLine, h('span', { class: 'badge ' + reviewState(rec) }, reviewState(rec)),
    rejectReason(rec) ? ' ' + rejectReason(rec) + ' ' : ' ',
    rec.status === 'quarantined' && rec.output_check ? h('span', { id: 'detail-quarantine' }, (rec.output_check.reason || '') + ' ') : null,
    h('span', { class: 'stars' }, stars(ratingOf(rec))));
  paintReview();

  const actions = h('div', { class: 'toolbar' },
    canReview ? [
      [1, 2, 3, 4, 5].map(n => h('button', { type: 'button', title: `rate ${n}`, onclick: () => run(() => rate(rec, n), `rated ${n}`) }, String(n) + '★')),
      h('button', { type: 'button', onclick: () => run(() => approve(rec), 'approved') }, 'Approve'),
      h('button', { type: 'button', class: 'danger', onclick: async () => { const r = await askReason(1); if (r !== null) run(() => reject(rec, r), 'rejected'); } }, 'Reject…'),
      rec.status === 'quarantined' ? h('button', { type: 'button', id: 'release-quarantine', onclick: async (e) => {
        const r = await askReason(1, 'Release from quarantine');
        if (r !== null) run(async () => { await releaseQuarantine(rec, r); e.target.hidden = true; }, 'released from quarantine');
      } }, 'Release from quarantine…') : null,
    ] : null,
    canGenerate && rec.variant === 'original' ? [
      h('button', { type: 'button', id: 'regenerate', onclick: () => regenerate(true) }, 'Regenerate'),
      h('button', { type: 'button', id: 'variation', onclick: () => regenerate(false) }, 'New variation'),
    ] : null);

  // Reserve for a channel and day (reviewers): the image leaves the publishing pool until released.
  const reservationLine = h('p', { id: 'detail-reservation' });
  const channel = h('input', { name: 'channel', id: 'reserve-channel', size: 12, required: true, placeholder: 'instagram' });
  const day = h('input', { name: 'day', id: 'reserve-day', type: 'date', required: true, value: new Date().toISOString().slice(0, 10) });
  const reserveForm = canReview && rec.variant === 'original'
    ? h('form', { class: 'toolbar', id: 'reserve-form' }, h('label', { class: 'field' }, 'Channel', channel),
      h('label', { class: 'field' }, 'Day', day), h('button', { type: 'submit', id: 'reserve' }, 'Reserve'))
    : null;
  if (reserveForm) reserveForm.addEventListener('submit', e => {
    e.preventDefault();
    run(() => reserve(rec, channel.value.trim(), day.value), 'reserved');
  });
  const paintReservation = () => {
    const r = reservationOf(rec);
    clear(reservationLine, r ? ['Reserved for ', r.channel, ' on ', r.day, ' ',
      canReview ? h('button', { type: 'button', id: 'release', onclick: () => run(() => release(rec), 'released') }, 'Release') : null] : 'Not reserved.');
    if (reserveForm) reserveForm.hidden = Boolean(r);
  };
  paintReservation();

  async function run(fn, message) {
    try { await fn(); paintReview(); paintReservation(); flash(message); } catch (e) { flash(e.message, true); }
  }

  // Regenerate: the same request (seed included); a variation: the same with a new seed.
  async function regenerate(sameSeed) {
    const extra = rec.extra || {};
    const body = { category: rec.category, variations: 1, tags: rec.tags };
    if (extra.template) {
      body.template = extra.template;
      if (sameSeed && rec.parameters && rec.parameters.seed !== undefined) body.parameters = { seed: rec.parameters.seed };
    } else {
      body.prompt = rec.prompt;
      body.model = rec.model;
      if (rec.negative_prompt) body.negative_prompt = rec.negative_prompt;
      const p = rec.parameters || {};
      body.parameters = { width: p.width, height: p.height, steps: p.steps, guidance_scale: p.guidance_scale };
      if (sameSeed && p.seed !== undefined) body.parameters.seed = p.seed;
    }
    try {
      const r = await post('/v1/generations', body);
      flash(`queued batch ${r.batch_id}`);
      location.hash = '#/queue?batch=' + encodeURIComponent(r.batch_id);
    } catch (e) { flash(e.message, true); }
  }

  const tags = h('div', { class: 'tags', id: 'detail-tags' });
  const paintTags = () => clear(tags, rec.tags.map(t => h('span', { class: 'tag' }, t,
    canReview ? h('button', { type: 'button', title: 'remove tag', onclick: () => saveTags(rec.tags.filter(x => x !== t)) }, '×') : null)));
  paintTags();
  const newTag = h('input', { name: 'tag', size: 12, placeholder: 'add tag', 'aria-label': 'New tag' });
  const tagForm = canReview ? h('form', { class: 'toolbar' }, newTag, h('button', { type: 'submit' }, 'Add')) : null;
  if (tagForm) tagForm.addEventListener('submit', e => {
    e.preventDefault();
    const t = newTag.value.trim();
    if (t && !rec.tags.includes(t)) saveTags([...rec.tags, t]);
    newTag.value = '';
  });
  async function saveTags(list) {
    try {
      const r = await post(`/v1/images/${encodeURIComponent(id)}/tags`, { tags: list });
      rec.tags = r.tags || list;
      paintTags();
    } catch (e) { flash(e.message, true); }
  }

  const q = rec.quality || {};
  const components = q.components || {};
  const meta = rec.metadata || {};
  const kv = (pairs) => h('dl', { class: 'kv' }, pairs.filter(p => p[1] !== undefined && p[1] !== null && p[1] !== '').map(([k, v]) => [h('dt', null, k), h('dd', null, v)]));

  clear(main,
    h('p', null, h('a', { href: '#/gallery' }, '← Review')),
    h('h1', null, rec.image_id),
    h('div', { class: 'detail' },
      h('div', null, large, h('div', null, reveal), actions, reviewLine, reservationLine, reserveForm),
      h('div', null,
        kv([['Category', rec.category], ['Model', rec.model], ['API', meta.api_used], ['Generated', when(meta.generated_at)],
          ['Cost', money(meta.cost)], ['Processing', meta.processing_time != null ? meta.processing_time + ' s' : ''],
          ['Size', `${(rec.parameters || {}).width}×${(rec.parameters || {}).height}`], ['Seed', (rec.parameters || {}).seed],
          ['Status', rec.status], ['Version', rec.version], ['Variant', rec.variant],
          ['Template', (rec.extra || {}).template], ['Experiment arm', (rec.extra || {}).arm || (rec.extra || {}).experiment_arm],
          ['Quality', rec.quality_score != null ? rec.quality_score.toFixed(3) : '']]),
        h('h2', null, 'Tags'), tags, tagForm,
        Object.keys(components).length ? [h('h2', null, 'Quality components'), kv(Object.entries(components).map(([k, v]) => [k, typeof v === 'number' ? v.toFixed(3) : JSON.stringify(v)]))] : null,
        rec.prompt ? [h('h2', null, 'Prompt'), h('pre', { class: 'prompt', id: 'detail-prompt' }, rec.prompt),
          rec.negative_prompt ? h('pre', { class: 'prompt' }, 'negative: ', rec.negative_prompt) : null] : null)),
    h('h2', null, 'Derivatives'),
    (rec.derivatives || []).length ? table(['Run', 'Variant', 'Format', 'Size', 'Bytes', 'Quality', ''], rec.derivatives.map(d => [
      d.run, d.variant, d.format, `${d.width}×${d.height}`, d.bytes, d.quality_score != null ? d.quality_score.toFixed(3) : '',
      h('a', { href: `/v1/images/${encodeURIComponent(d.image_id)}/file`, target: '_blank', rel: 'noopener' }, 'open')]))
      : h('p', { class: 'muted' }, 'None yet (rendered in the background after the job).'),
    h('h2', null, 'Version chain'),
    versions.length > 1 ? table(['Version', 'Image', 'Variant', 'Generated'], versions.map(v => [v.version,
      v.image_id === rec.image_id ? h('strong', null, v.image_id) : h('a', { href: '#/image/' + encodeURIComponent(v.image_id) }, v.image_id),
      v.variant, when((v.metadata || {}).generated_at)])) : h('p', { class: 'muted' }, 'Only this version.'),
    h('h2', null, 'Record'),
    h('pre', { class: 'prompt' }, JSON.stringify(Object.fromEntries(Object.entries(rec).filter(([k]) => k !== 'derivatives' && k !== 'post_processing')), null, 2)));
}
