/**
 * Undo that never removes someone else's work. Yjs's UndoManager undoes an insertion by deleting
 * the inserted item, and deleting a goal (a Y.Map) takes everything inside it along, including
 * an action a colleague has since added to it. The filter below keeps any item that still holds
 * live content of another author, at any depth; the rest of the step is undone as usual.
 */
import * as Y from 'yjs';

type DeleteSet = ReturnType<typeof Y.createDeleteSet>;

/** The live items directly inside `type`: its list (array, text, XML children) and its map entries. */
function* childItems(type: Y.AbstractType<unknown>): Generator<Y.Item> {
  for (let item = type._start; item !== null; item = item.right) yield item;
  for (const item of type._map.values()) yield item;
}

/** Whether `item` is, or holds at any depth, live content that `clientId` did not write. */
export function holdsOthersWork(item: Y.Item, clientId: number): boolean {
  if (item.deleted) return false;
  if (item.id.client !== clientId) return true;
  if (!(item.content instanceof Y.ContentType)) return false;
  for (const child of childItems(item.content.type)) if (holdsOthersWork(child, clientId)) return true;
  return false;
}

/**
 * Y.UndoManager whose undo and redo delete only what holds nobody else's work, and keep whole
 * what does: a goal a colleague added an action to stays, with its title and everything in it
 * that was added in the same step. `onKept` hears of each item kept, so the page can say why
 * part of a step stayed.
 */
export class SparingUndoManager extends Y.UndoManager {
  /** What the step being undone or redone inserted (its ancestors outside it are not deleted). */
  private step: DeleteSet | null = null;
  /** One step asks about many items of the same subtrees: the answers, for that step. */
  private readonly known = new Map<Y.Item, boolean>();

  constructor(
    scope: ConstructorParameters<typeof Y.UndoManager>[0],
    origin: unknown,
    private readonly onKept: () => void = () => {}
  ) {
    super(scope, { trackedOrigins: new Set([origin]), captureTimeout: 600, deleteFilter: (item) => !this.keeps(item) });
  }

  override undo(): ReturnType<Y.UndoManager['undo']> {
    return this.sparing(this.undoStack, () => super.undo());
  }

  override redo(): ReturnType<Y.UndoManager['redo']> {
    return this.sparing(this.redoStack, () => super.redo());
  }

  private sparing<T>(stack: Array<{ insertions: DeleteSet }>, run: () => T): T {
    this.step = stack.at(-1)?.insertions ?? null;
    try {
      return run();
    } finally {
      this.step = null;
      this.known.clear();
    }
  }

  private holds(item: Y.Item): boolean {
    let answer = this.known.get(item);
    if (answer === undefined) this.known.set(item, (answer = holdsOthersWork(item, this.doc.clientID)));
    return answer;
  }

  /** Keep `item` if it, or an ancestor inserted in the same step, holds someone else's work. */
  private keeps(item: Y.Item): boolean {
    let keep = this.holds(item);
    for (let parent = (item.parent as Y.AbstractType<unknown> | null)?._item ?? null; !keep && parent; parent = (parent.parent as Y.AbstractType<unknown> | null)?._item ?? null) {
      if (this.step && Y.isDeleted(this.step, parent.id)) keep = this.holds(parent);
    }
    if (keep) this.onKept();
    return keep;
  }
}
