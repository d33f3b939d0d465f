// Experiments: per arm the images, the scored count, mean, 95% interval and P(best); promoting an
// arm asks first, showing the sample size and warning when it is below the minimum.
import { get, post } from './api.js';
import { h, clear, flash, table } from './dom.js';
import { session } from './state.js';

export const MIN_SAMPLES = 30;
const pct = v => v == null ? '–' : (100 * v).toFixed(1) + '%';

export async function renderExperiments(main) {
  const { experiments } = await get('/v1/experiments');
  const canPromote = session.can('operator');
  clear(main, h('h1', null, 'Experiments'),
    experiments.length ? experiments.map(x => h('section', { class: 'experiment', dataset: { template: x.template } },
      h('h2', null, x.template, ' ', h('span', { class: 'muted' }, x.phase, x.leader ? ` · leader ${x.leader.arm}` : '')),
      table(['Arm', 'Images', 'Scored', 'Mean', '95% interval', 'P(best)', ''], x.arms.map(a => [
        a.arm, a.assignments, a.count, pct(a.mean), `${pct(a.interval.lower)} – ${pct(a.interval.upper)}`, pct(a.probability_best),
        canPromote ? h('button', { type: 'button', class: 'promote', onclick: () => promote(x, a) }, 'Promote…') : '',
      ]))))
      : h('p', { class: 'muted' }, 'No template has an experiment (add experiment: { arms: [...] } to a template).'));

  function promote(x, a) {
    const total = x.arms.reduce((s, arm) => s + arm.count, 0);
    const low = a.count < MIN_SAMPLES;
    const dialog = h('dialog', { id: 'promote-dialog' },
      h('form', { method: 'dialog' },
        h('p', null, `Promote arm ${a.arm} of ${x.template}? Its prompt becomes the template's; the experiment ends.`),
        h('p', null, `Sample size: ${a.count} scored image(s) for this arm, ${total} in all; P(best) ${pct(a.probability_best)}.`),
        low ? h('p', { class: 'warn', id: 'promote-warning' }, `Below the minimum of ${MIN_SAMPLES} scored images: the difference may be chance.`) : null,
        h('button', { value: 'ok', class: 'primary' }, 'Promote'), ' ', h('button', { value: 'cancel' }, 'Cancel')));
    dialog.addEventListener('close', async () => {
      dialog.remove();
      if (dialog.returnValue !== 'ok') return;
      try {
        const r = await post(`/v1/experiments/${encodeURIComponent(x.template)}/promote`, { arm: a.arm });
        flash(`${x.template}: arm ${a.arm} promoted (version ${r.version})`);
        renderExperiments(main);
      } catch (e) { flash(e.message, true); }
    });
    document.body.append(dialog);
    dialog.showModal();
  }
}
