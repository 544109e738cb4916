/**
 * Lists every function, method and arrow function whose body runs over a number of lines (default 60)
 * in a folder (default runner/), longest first: `node scripts/long-functions.ts [folder] [lines]`.
 * The style guide wants such a function split, or a comment saying why it is not. Reads the sources
 * through TypeScript 7's API (its unstable AST, over the bundled tsgo); prints and exits 0.
 */
import { resolve, relative } from 'node:path';
import {
  isFunctionLikeDeclaration,
  isIdentifier,
  isPropertyAssignment,
  isPropertyDeclaration,
  isVariableDeclaration,
  type Node,
  type SourceFile,
} from 'typescript/unstable/ast';
import { API } from 'typescript/unstable/sync';

/** The name a person would look for: its own, else the variable or property it is assigned to. */
const nameOf = (node: Node): string => {
  const own = (node as { name?: Node }).name;
  if (own && isIdentifier(own)) return own.text;
  const parent = node.parent;
  if (parent && (isVariableDeclaration(parent) || isPropertyAssignment(parent) || isPropertyDeclaration(parent)) && isIdentifier(parent.name))
    return parent.name.text;
  return '(anonymous)';
};

const longFunctions = (file: SourceFile, limit: number): { lines: number; line: number; name: string }[] => {
  const lineOf = (pos: number) => file.getLineAndCharacterOfPosition(pos).line + 1;
  const found: { lines: number; line: number; name: string }[] = [];
  const visit = (node: Node): void => {
    const body = isFunctionLikeDeclaration(node) ? node.body : undefined;
    if (body) {
      const lines = lineOf(body.end) - lineOf(body.getStart(file)) + 1;
      if (lines > limit) found.push({ lines, line: lineOf(node.getStart(file)), name: nameOf(node) });
    }
    node.forEachChild(visit);
  };
  visit(file);
  return found;
};

const [folder = 'runner', limitText = '60'] = process.argv.slice(2);
const root = process.cwd();
const api = new API({ cwd: root });
try {
  const project = api.updateSnapshot({ openProjects: [resolve(root, 'tsconfig.json')] }).getProjects()[0]!;
  const rows = project.program
    .getSourceFileNames()
    .map((name) => relative(root, name))
    .filter((name) => name.startsWith(`${folder.replace(/\/$/, '')}/`))
    .flatMap((name) => longFunctions(project.program.getSourceFile(resolve(root, name))!, Number(limitText)).map((f) => ({ ...f, file: name })));
  rows.sort((a, b) => b.lines - a.lines);
  for (const r of rows) console.log(`${r.lines}\t${r.file}:${r.line}\t${r.name}`);
} finally {
  api.close();
}
