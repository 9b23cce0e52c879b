/**
 * Rich text (a Y.XmlFragment edited with Tiptap/ProseMirror) in the plan's plain JSON form:
 * paragraphs as lines, bullet items as "- ", numbered items as "1. ", bold as **text**. The
 * JSON form is what archives, reports and the client's view read; the fragment is what people
 * edit together.
 */
import * as Y from 'yjs';

function inline(text: Y.XmlText): string {
  return (text.toDelta() as Array<{ insert: unknown; attributes?: Record<string, unknown> }>)
    .map((op) => {
      const s = typeof op.insert === 'string' ? op.insert : '';
      return op.attributes && 'bold' in op.attributes && s.trim() ? `**${s}**` : s;
    })
    .join('');
}

function textOf(node: Y.XmlElement | Y.XmlText): string {
  if (node instanceof Y.XmlText) return inline(node);
  return node
    .toArray()
    .map((child) => (child instanceof Y.XmlHook ? '' : textOf(child as Y.XmlElement | Y.XmlText)))
    .join(node.nodeName === 'listItem' ? '\n' : '');
}

/** The fragment as plain text with light markup. */
export function richTextToPlain(fragment: Y.XmlFragment | undefined): string {
  if (!fragment) return '';
  const lines: string[] = [];
  for (const block of fragment.toArray()) {
    if (!(block instanceof Y.XmlElement)) {
      if (block instanceof Y.XmlText) lines.push(inline(block));
      continue;
    }
    if (block.nodeName === 'bulletList' || block.nodeName === 'orderedList') {
      block.toArray().forEach((item, i) => {
        const marker = block.nodeName === 'bulletList' ? '- ' : `${i + 1}. `;
        lines.push(marker + textOf(item as Y.XmlElement).replace(/\n/g, ' '));
      });
    } else {
      lines.push(textOf(block));
    }
  }
  return lines.join('\n').replace(/\n+$/, '');
}

function inlineNodes(line: string): Y.XmlText {
  const text = new Y.XmlText();
  let at = 0;
  for (const part of line.split(/(\*\*[^*]+\*\*)/)) {
    if (!part) continue;
    const bold = part.startsWith('**') && part.endsWith('**') && part.length > 4;
    const content = bold ? part.slice(2, -2) : part;
    text.insert(at, content, bold ? { bold: {} } : {});
    at += content.length;
  }
  return text;
}

function paragraph(line: string): Y.XmlElement {
  const p = new Y.XmlElement('paragraph');
  if (line) p.insert(0, [inlineNodes(line)]);
  return p;
}

/** Fills an empty fragment from plain text with light markup (the inverse of `richTextToPlain`). */
export function plainToRichText(text: string, fragment: Y.XmlFragment): void {
  if (!text) return;
  const blocks: Y.XmlElement[] = [];
  let list: Y.XmlElement | null = null;
  for (const line of text.split('\n')) {
    const bullet = /^- (.*)$/.exec(line);
    const numbered = /^\d+\. (.*)$/.exec(line);
    const kind = bullet ? 'bulletList' : numbered ? 'orderedList' : null;
    if (kind) {
      if (!list || list.nodeName !== kind) {
        list = new Y.XmlElement(kind);
        blocks.push(list);
      }
      const item = new Y.XmlElement('listItem');
      item.insert(0, [paragraph((bullet ?? numbered)![1]!)]);
      list.insert(list.length, [item]);
    } else {
      list = null;
      blocks.push(paragraph(line));
    }
  }
  fragment.insert(fragment.length, blocks);
}
