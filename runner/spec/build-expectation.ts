/**
 * `expect:` of a query or transaction step, YAML -> Expectation: the expected rows with their matchers, or
 * the expected error (never both: that is reported where it is written).
 */
import { isMap, isSeq } from 'yaml';
import type { Ctx } from './build.ts';
import type { ExpectedError, ExpectedRow, ExpectedValue, Expectation } from './expectation.ts';
import { keyText } from './load.ts';
import { buildExpectedValue, regexProblem } from './matchers.ts';
import { boolOf, has, intOf, locOf, pairsOf, stringOf, valueOf } from './yaml-nodes.ts';

const rowsOf = (c: Ctx, node: unknown, path: string): ExpectedRow[] | undefined => {
  if (!isSeq(node)) return undefined;
  return node.items.flatMap((row, i) => {
    if (!isMap(row)) return [];
    const cells: Record<string, ExpectedValue> = {};
    for (const pair of pairsOf(row)) {
      const column = keyText(pair.key);
      if (column === undefined) continue;
      const v = buildExpectedValue(c.src, pair.value, `${path}[${i}].${column}`, c.out);
      if (v) cells[column] = v;
    }
    return [{ cells, loc: locOf(c.src, row) }];
  });
};

const expectedError = (c: Ctx, node: unknown, path: string): ExpectedError | undefined => {
  if (!isMap(node)) return undefined;
  const pattern = stringOf(valueOf(node, 'message'));
  const why = pattern === undefined ? undefined : regexProblem(pattern);
  if (why)
    c.out.push({
      kind: 'authoring',
      code: 'DBSPEC_BAD_REGEX',
      message: `\`${path}.message\`: the regular expression does not compile: ${why}`,
      location: locOf(c.src, valueOf(node, 'message')),
    });
  const code = stringOf(valueOf(node, 'code'));
  if (code !== undefined) c.codeRefs.push({ value: code, loc: locOf(c.src, valueOf(node, 'code')) });
  const constraint = stringOf(valueOf(node, 'constraint'));
  const message = stringOf(valueOf(node, 'message'));
  return {
    ...(code !== undefined ? { code } : {}),
    ...(constraint !== undefined ? { constraint } : {}),
    ...(message !== undefined ? { message } : {}),
    loc: locOf(c.src, node),
  };
};

export const expectation = (c: Ctx, node: unknown, path: string): Expectation | undefined => {
  if (!isMap(node)) return undefined;
  const rows = rowsOf(c, valueOf(node, 'rows'), `${path}.rows`);
  const includes = rowsOf(c, valueOf(node, 'includes'), `${path}.includes`);
  const excludes = rowsOf(c, valueOf(node, 'excludes'), `${path}.excludes`);
  const count = intOf(valueOf(node, 'count'));
  const error = expectedError(c, valueOf(node, 'error'), `${path}.error`);
  const columns = stringOf(valueOf(node, 'columns')) === 'exact' ? 'exact' : 'written';
  if (error) {
    const clash = ['rows', 'includes', 'excludes', 'count', 'ordered', 'columns'].filter((k) => has(node, k));
    if (clash.length > 0) {
      c.out.push({
        kind: 'authoring',
        code: 'DBSPEC_EXPECT_CONFLICT',
        message: `\`${path}\`: a step that expects an error returns no rows; remove ${clash.map((k) => `\`${k}\``).join(', ')}`,
        location: locOf(c.src, valueOf(node, 'error')),
      });
    }
    return { kind: 'error', error, loc: locOf(c.src, node) };
  }
  // `expect: {}` or only `ordered`/`columns`: a step that would pass whatever came back.
  if (!['rows', 'includes', 'excludes', 'count', 'error'].some((k) => has(node, k))) {
    c.out.push({
      kind: 'authoring',
      code: 'DBSPEC_EXPECT_NOTHING',
      message: `\`${path}\` checks nothing: give rows, includes, excludes, count or error`,
      location: locOf(c.src, node),
      hint: 'to only run the statement, leave `expect` out',
    });
  }
  return {
    kind: 'result',
    ...(rows ? { rows } : {}),
    ...(includes ? { includes } : {}),
    ...(excludes ? { excludes } : {}),
    ...(count !== undefined ? { count } : {}),
    ordered: boolOf(valueOf(node, 'ordered')) ?? false,
    columns,
    loc: locOf(c.src, node),
  };
};
