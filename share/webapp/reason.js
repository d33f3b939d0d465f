// Asks why images are rejected (or released from quarantine): a small dialog the keyboard drives
// (type, Enter; Esc cancels).
import { h } from './dom.js';

export function askReason(count, action = 'Reject') {
  return new Promise(resolve => {
    const input = h('input', { name: 'reason', id: 'reject-reason', required: true, size: 40, placeholder: 'e.g. extra fingers', 'aria-label': `Reason: ${action}` });
    const form = h('form', { method: 'dialog' },
      h('p', null, `${action} ${count} image(s): why?`), input, ' ',
      h('button', { type: 'submit', class: 'danger' }, action),
      h('button', { type: 'button', value: 'cancel', onclick: () => dialog.close('cancel') }, 'Cancel'));
    const dialog = h('dialog', { id: 'reject-dialog' }, form);
    form.addEventListener('submit', e => {
      e.preventDefault();
      if (!input.value.trim()) { input.focus(); return; }
      dialog.close('ok');
    });
    dialog.addEventListener('close', () => {
      const ok = dialog.returnValue === 'ok';
      dialog.remove();
      resolve(ok ? input.value.trim() : null);
    });
    document.body.append(dialog);
    dialog.showModal();
    input.focus();
  });
}
