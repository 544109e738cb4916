/**
 * The diff's notes: what changed around the specs rather than in their outcomes (schema objects, migration
 * files, edited specs) and todos that now pass. Each note is one line of text, with the steps it explains.
 */
import type { ResultsDiff } from '../results/diff.ts';
import { schemaChangeText } from '../results/schema-diff.ts';
import type { Section } from './diff-view.ts';
import { survivorSentence } from './prove-view.ts';
import { plural } from '../wording.ts';

export type NoteView = { readonly text: string; readonly detail?: string };

const failingBecause = (d: ResultsDiff, index: number): number =>
  [...d.newlyFailing, ...d.appeared].filter((c) => c.step !== undefined && c.schemaChanges?.includes(index)).length;

const pct = (p: number | null): string => (p === null ? 'none' : `${p.toFixed(1)}%`);

/** The mutation score's move and the guarantees it lost or gained (only when both runs were proved). */
const proveSections = (d: ResultsDiff): Section<NoteView>[] =>
  d.prove === undefined
    ? []
    : [
        {
          id: 'prove',
          title: 'Mutation score',
          hint: `dbspec prove: ${pct(d.prove.oldPct)} -> ${pct(d.prove.newPct)}; guarantees of the schema that no spec protects any more, or now does`,
          items: [
            {
              text: `${pct(d.prove.oldPct)} -> ${pct(d.prove.newPct)}: ${plural(d.prove.lost.length, 'guarantee')} no longer protected, ${d.prove.gained.length} newly protected`,
            },
            ...d.prove.lost.map((m) => ({ text: `no longer protected: ${survivorSentence(m)}` })),
            ...d.prove.gained.map((m) => ({ text: `now protected: ${m.description} (${m.file}:${m.line})` })),
          ],
          tone: d.prove.lost.length > 0 ? 'bad' : 'neutral',
        },
      ];

export const noteSections = (d: ResultsDiff): Section<NoteView>[] => [
  ...proveSections(d),
  {
    id: 'schema',
    title: 'Schema changes',
    hint: 'tables, columns, constraints, indexes, policies, triggers and functions, as each database described them when the run started',
    items: d.schema.map((c, i) => {
      const n = failingBecause(d, i);
      return {
        text: `${schemaChangeText(c)}${n ? ` → ${plural(n, 'step')} newly failing` : ''}`,
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
