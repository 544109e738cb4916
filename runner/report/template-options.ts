/** How every template is compiled, at run time or ahead of it (scripts/build.ts): the two must agree. */
export const TEMPLATE_OPTIONS = { strict: false, preventIndent: true } as const;
