/**
 * Record mode (`dbspec run --update`) rewrites a schema step's tables from the catalog; execution reports
 * what it read here. Nothing listens unless record mode is on.
 */
import type { TableCatalog } from '../db/catalog.ts';
import type { SchemaStep } from '../spec/types.ts';

export type SchemaObservation = {
  readonly step: SchemaStep;
  /** Each table the step lists, with the catalog's answer (undefined: no such table) and whether it matched. */
  readonly tables: readonly { readonly name: string; readonly catalog?: TableCatalog; readonly held: boolean }[];
};

const observers = new Set<(observation: SchemaObservation) => void>();

export const observeSchema = (observer: (observation: SchemaObservation) => void): (() => void) => {
  observers.add(observer);
  return () => observers.delete(observer);
};

export const reportSchema = (observation: SchemaObservation): void => {
  for (const observer of observers) observer(observation);
};

export const observingSchema = (): boolean => observers.size > 0;
