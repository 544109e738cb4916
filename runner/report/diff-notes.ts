/**
 * The diff's notes: what changed around the specs rather than in their outcomes (schema objects, migration
 * files, edited specs) and todos that now pass. Each note is one line of text, with the steps it explains.
 */
import type { ResultsDiff } from '../results/diff.ts';
import { schemaChangeText } from '../results/schema-diff.ts';
import type { Section } from './diff-view.ts';

export type NoteView = { readonly text: string; readonly detail?: string };

const failingBecause = (d: ResultsDiff, index: number): number =>
  [...d.newlyFailing, ...d.appeared].filter((c) => c.step !== undefined && c.schemaChanges?.includes(index)).length;

export const noteSections = (d: ResultsDiff): Section<NoteView>[] => [
  {
    id: 'schema',
    title: 'Schema changes',
    hint: 'tables, columns, constraints, indexes, policies, triggers and functions, as each database described them when the run started',
    items: d.schema.map((c, i) => {
      const n = failingBecause(d, i);
      return {
        text: `${schemaChangeText(c)}${n ? ` → ${n} step${n === 1 ? '' : 's'} newly failing` : ''}`,
        ...(c.old !== undefined || c.next !== undefined ? { detail: [c.old && `was: ${c.old}`, c.next && `now: ${c.next}`].filter(Boolean).join('; ') } : {}),
      };
    }),
    tone: 'neutral',
  },
  {
    id: 'migrations',
    title: 'Migration files changed',
    hint: 'files under the migrations folder, by SHA-256',
    items: d.migrations.map((m) => ({ text: `${m.db}: ${m.name} ${m.change}` })),
    tone: 'neutral',
  },
  {
    id: 'specs-edited',
    title: 'Specs edited',
    hint: 'specs whose file (or fixture files) changed: their outcomes may have moved because the expectation did',
    items: d.specsEdited.map((e) => ({ text: e.spec, detail: e.files.join(', ') })),
    tone: 'neutral',
  },
  {
    id: 'todo-fixed',
    title: 'Todos that pass',
    hint: 'steps marked todo that now pass: remove the todo',
    items: d.todoFixed.map((c) => ({ text: `${c.spec}${c.step !== undefined ? ` › ${c.step}` : ''}: ${c.message ?? 'fixed: remove the todo'}` })),
    tone: 'good',
  },
];
