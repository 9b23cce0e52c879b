/**
 * A Svelte action binding an <input> or <textarea> to a Y.Text: local typing becomes minimal
 * Yjs edits (common prefix and suffix kept), and remote edits update the field while keeping
 * the caret where the person left it (through Yjs relative positions).
 */
import * as Y from 'yjs';

type Field = HTMLInputElement | HTMLTextAreaElement;

export interface BindYTextOptions {
  text: Y.Text;
  readOnly?: boolean;
  /** The transaction origin of local edits (the undo manager tracks it). */
  origin?: unknown;
}

export function bindYText(field: Field, options: BindYTextOptions) {
  let { text } = options;
  let origin: unknown = options.origin ?? { binding: field };

  const render = (): void => {
    const value = text.toString();
    if (field.value !== value) field.value = value;
  };

  // The relative positions must be taken before the remote change is applied to the field.
  let pendingSelection: { start: Y.RelativePosition; end: Y.RelativePosition } | null = null;
  const beforeRemote = (): void => {
    if (document.activeElement !== field) return;
    pendingSelection = {
      start: Y.createRelativePositionFromTypeIndex(text, field.selectionStart ?? 0),
      end: Y.createRelativePositionFromTypeIndex(text, field.selectionEnd ?? 0)
    };
  };

  const observer = (_event: Y.YTextEvent, transaction: Y.Transaction): void => {
    if (transaction.origin === origin) return;
    const selection = pendingSelection;
    pendingSelection = null;
    field.value = text.toString();
    if (selection && text.doc) {
      const s = Y.createAbsolutePositionFromRelativePosition(selection.start, text.doc)?.index;
      const e = Y.createAbsolutePositionFromRelativePosition(selection.end, text.doc)?.index;
      if (s !== undefined && e !== undefined) field.setSelectionRange(s, e);
    }
  };

  const onInput = (): void => {
    if (options.readOnly) return render();
    const before = text.toString();
    const after = field.value;
    let prefix = 0;
    const max = Math.min(before.length, after.length);
    while (prefix < max && before.charCodeAt(prefix) === after.charCodeAt(prefix)) prefix++;
    let suffix = 0;
    while (
      suffix < max - prefix &&
      before.charCodeAt(before.length - 1 - suffix) === after.charCodeAt(after.length - 1 - suffix)
    ) {
      suffix++;
    }
    text.doc?.transact(() => {
      const removed = before.length - prefix - suffix;
      if (removed > 0) text.delete(prefix, removed);
      const inserted = after.slice(prefix, after.length - suffix);
      if (inserted) text.insert(prefix, inserted);
    }, origin);
  };

  const attach = (): void => {
    text.doc?.on('beforeTransaction', beforeRemote);
    text.observe(observer);
    render();
  };
  const detach = (): void => {
    text.doc?.off('beforeTransaction', beforeRemote);
    text.unobserve(observer);
  };

  field.addEventListener('input', onInput);
  attach();

  return {
    update(next: BindYTextOptions) {
      options = next;
      origin = next.origin ?? origin;
      if (next.text !== text) {
        detach();
        text = next.text;
        attach();
      }
    },
    destroy() {
      field.removeEventListener('input', onInput);
      detach();
    }
  };
}
