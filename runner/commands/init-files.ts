/**
 * What `dbspec init` writes into a project: the config, the editor mapping and the CI workflow. Pure text
 * from the project's choices; init.ts decides where and whether to write.
 */

export type InitChoices = {
  readonly databases: readonly string[];
  /** Per database, the migrations folder relative to the project root; absent: none configured. */
  readonly migrations: ReadonlyMap<string, string>;
  readonly specs: string;
  readonly output: string;
  /** The installed package's schema folder, relative to the project root, e.g. node_modules/dbspec/schema. */
  readonly schemaDir: string;
};

/** A relative path as editors want it: ./x, or ../x as it is. */
const dotted = (path: string): string => (path.startsWith('.') ? path : `./${path}`);

export const urlEnvOf = (database: string): string => `DBSPEC_${database.toUpperCase()}_URL`;

const databaseEntry = (name: string, migrations: string | undefined): string =>
  [
    `  ${name}:`,
    `    url_env: ${urlEnvOf(name)}   # the URL of a database to run on; unset: an embedded PostgreSQL is started`,
    migrations !== undefined
      ? `    migrations: ${migrations}   # NNN_name.sql files, applied in order (embedded, or a URL with --migrate)`
      : `    # migrations: db/migrations   # NNN_name.sql files that create this database's schema, applied in order`,
  ].join('\n');

export const configText = (choices: InitChoices): string => `# yaml-language-server: $schema=${dotted(`${choices.schemaDir}/config.schema.json`)}
# dbspec: the databases specs may name. Every path here is relative to this file.
specs: ${choices.specs}           # the *.spec.yaml files \`dbspec validate\` and \`dbspec run\` take by default
output: ${choices.output}    # results.json, junit.xml and reports (git-ignored)
databases:
${choices.databases.map((name) => databaseEntry(name, choices.migrations.get(name))).join('\n')}
`;

/** The `yaml.schemas` entries the YAML extension (redhat.vscode-yaml) reads. */
export const editorSchemas = (choices: InitChoices): Record<string, string[]> => ({
  [dotted(`${choices.schemaDir}/spec.schema.json`)]: ['*.spec.yaml', '**/*.spec.yaml'],
  [dotted(`${choices.schemaDir}/config.schema.json`)]: ['dbspec.config.yaml'],
});

const SHARDS = 2;

/** GitHub Actions: the specs in shards against a PostgreSQL service container, then one merged report. */
export const workflowText = (choices: InitChoices): string => {
  const urls = choices.databases.map((name) => `      ${urlEnvOf(name)}: postgres://postgres:postgres@localhost:5432/${name}_test`).join('\n');
  const creates = choices.databases.map((name) => `-c 'create database ${name}_test'`).join(' ');
  const shards = Array.from({ length: SHARDS }, (_, i) => i + 1).join(', ');
  const out = choices.output;
  return `# dbspec specs on every push and pull request: ${SHARDS} shards against a PostgreSQL service container, then
# one merged report (artifact dbspec-report). Written by \`dbspec init\`; edit freely.
name: dbspec
on: [push, pull_request]
jobs:
  specs:
    runs-on: ubuntu-latest
    strategy:
      fail-fast: false
      matrix:
        shard: [${shards}]
    services:
      postgres:
        image: postgres:17
        env:
          POSTGRES_PASSWORD: postgres
        ports: ['5432:5432']
        options: >-
          --health-cmd pg_isready --health-interval 2s --health-timeout 5s --health-retries 20
    env:
${urls}
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        with: { node-version: 20, cache: npm }
      - run: npm ci
      - run: psql postgres://postgres:postgres@localhost:5432/postgres ${creates}
      # --migrate applies the configured migrations; --allow-shared: the service container is throwaway.
      - run: npx dbspec run --migrate --allow-shared --shard \${{ matrix.shard }}/${SHARDS} --out ${out}/shard-\${{ matrix.shard }}
      - uses: actions/upload-artifact@v4
        if: always()
        with:
          name: dbspec-shard-\${{ matrix.shard }}
          path: ${out}/shard-\${{ matrix.shard }}/results.json
  report:
    needs: specs
    if: always()
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        with: { node-version: 20, cache: npm }
      - run: npm ci
      - uses: actions/download-artifact@v4
        with: { pattern: dbspec-shard-*, path: shards }
      - run: npx dbspec merge shards/*/results.json --out ${out}
      - uses: actions/upload-artifact@v4
        if: always()
        with: { name: dbspec-report, path: ${out} }
`;
};
