/**
 * The one Handlebars environment of dbspec: partials and helpers registered here, each template compiled
 * once per process. Helpers return plain strings, never SafeString, so `{{helper value}}` stays escaped; no
 * template uses `{{{ }}}` on data (test/report/escaping.test.ts checks the templates for it).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { TEMPLATE_OPTIONS } from './template-options.ts';
import { plural } from '../wording.ts';
import { loadBuilt, packageFile } from '../package-files.ts';

export const TEMPLATES_DIR = packageFile('reports/templates/');

/** Markdown table cells and inline text: neutralise the characters Markdown would act on. HTML is escaped after, by Handlebars. */
const markdownText = (value: unknown): string =>
  String(value ?? '')
    .replace(/\r?\n/g, ' ')
    .replace(/([\\|*_[\]~#])/g, '\\$1');

/** The templates as the package ships them, compiled ahead (scripts/build.ts); absent when run from sources. */
type Precompiled = { readonly templates: Record<string, TemplateSpecification>; readonly partials: Record<string, TemplateSpecification> };
const precompiled = await loadBuilt<Precompiled>('precompiled.js');
// Precompiled templates need only Handlebars' runtime, the one part the package bundles (scripts/build.ts).
const Handlebars = precompiled ? (await import('handlebars/runtime')).default : (await import('handlebars')).default;

let env: typeof Handlebars | undefined;

const environment = (): typeof Handlebars => {
  if (env) return env;
  const hb = Handlebars.create();
  hb.registerHelper('md', (v: unknown) => markdownText(v));
  // Few helpers, with names no view field uses: `{{name}}` must always mean the field, never a helper.
  hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  hb.registerHelper('plural', (n: unknown, word: unknown) => plural(Number(n), String(word)));
  const partials = new URL('partials/', TEMPLATES_DIR);
  for (const file of readdirSync(partials)
    .filter((f) => f.endsWith('.hbs'))
    .sort()) {
    const spec = precompiled?.partials[file];
    hb.registerPartial(file.replace(/\.hbs$/, ''), spec ? hb.template(spec) : readFileSync(new URL(file, partials), 'utf8'));
  }
  env = hb;
  return hb;
};

const compiled = new Map<string, HandlebarsTemplateDelegate>();

/** A template from reports/templates by file name, e.g. `report.html.hbs`; compiled on first use. */
export const template = (name: string): HandlebarsTemplateDelegate => {
  let fn = compiled.get(name);
  if (!fn) {
    const spec = precompiled?.templates[name];
    fn = spec ? environment().template(spec) : environment().compile(readFileSync(new URL(name, TEMPLATES_DIR), 'utf8'), TEMPLATE_OPTIONS);
    compiled.set(name, fn);
  }
  return fn;
};
