/**
 * The production topology, described once: Temporal on PostgreSQL, its schema and namespace set up
 * by the two scripts in deploy/, and the workers sharing the case archive's database.
 *
 * docker-compose.yml deploys it with Temporal's images; `npm run start:cluster` runs the same on one
 * machine from Go-built binaries and Debian's PostgreSQL (src/toolchain/cluster.ts). Both run the
 * same scripts (deploy/temporal-schema.sh, deploy/temporal-setup.sh) and the same server config
 * template (the server's own config/docker.yaml, which the temporalio/server image renders), with
 * the settings below. docker-compose.yml cannot import this file:
 * test/integration/docker-compose.test.ts holds it to these values.
 */
import path from 'node:path';
import { PACKAGE_ROOT } from '../config';
import { SEARCH_ATTRIBUTE_KEYS } from '../process/searchAttributes';

/** The Temporal server, its admin tools and temporal-sql-tool (the CLI v1.5.1 of `npm start` carries the same server). */
export const TEMPORAL_SERVER_VERSION = '1.29.1';
/** The Temporal Web UI (the CLI v1.5.1 embeds the same). */
export const TEMPORAL_UI_VERSION = '2.42.1';
/** temporal-sql-tool's and the server's plugin for PostgreSQL 12 and later. */
export const SQL_PLUGIN = 'postgres12';
/** The database user Temporal and the workers connect as. */
export const DB_USER = 'temporal';
export const DATABASES = { temporal: 'temporal', visibility: 'temporal_visibility', archive: 'kscp_archive' } as const;
/** Fixed when the cluster is first started: it can never change afterwards. The image's default. */
export const HISTORY_SHARDS = 4;

/** The two setup scripts, run by the compose file's one-shot jobs and by `npm run start:cluster`. */
export const SETUP_SCRIPTS = {
  schema: path.join(PACKAGE_ROOT, 'deploy', 'temporal-schema.sh'),
  namespace: path.join(PACKAGE_ROOT, 'deploy', 'temporal-setup.sh'),
};

export interface Database {
  host: string;
  port: number;
  password: string;
}

/**
 * The settings of the server's config template (config/docker.yaml) for Temporal on PostgreSQL.
 * POSTGRES_PORT as well as DB_PORT: the template reads the visibility store's port from
 * POSTGRES_PORT (or VISIBILITY_DB_PORT), not DB_PORT.
 */
export function temporalServerEnvironment(db: Database, bindIp: string): Record<string, string> {
  return {
    DB: SQL_PLUGIN,
    DB_PORT: String(db.port),
    POSTGRES_PORT: String(db.port),
    POSTGRES_SEEDS: db.host,
    POSTGRES_USER: DB_USER,
    POSTGRES_PWD: db.password,
    DBNAME: DATABASES.temporal,
    VISIBILITY_DBNAME: DATABASES.visibility,
    NUM_HISTORY_SHARDS: String(HISTORY_SHARDS),
    BIND_ON_IP: bindIp,
  };
}

/** The settings of deploy/temporal-schema.sh; `schemaDir` is the server's schema/postgresql/v12 folder. */
export function schemaJobEnvironment(db: Database, schemaDir: string): Record<string, string> {
  return {
    SQL_PLUGIN,
    SQL_HOST: db.host,
    SQL_PORT: String(db.port),
    SQL_USER: DB_USER,
    SQL_PASSWORD: db.password,
    DBNAME: DATABASES.temporal,
    VISIBILITY_DBNAME: DATABASES.visibility,
    KSCP_ARCHIVE_DBNAME: DATABASES.archive,
    TEMPORAL_SCHEMA_DIR: schemaDir,
  };
}

const CLI_TYPE: Record<string, string> = { KEYWORD: 'Keyword', TEXT: 'Text', INT: 'Int', DOUBLE: 'Double', BOOL: 'Bool', DATETIME: 'Datetime', KEYWORD_LIST: 'KeywordList' };

/** `Name=Type` of every custom search attribute of src/process/searchAttributes.ts, as the Temporal CLI spells the types. */
export function searchAttributeSpecs(): string[] {
  return SEARCH_ATTRIBUTE_KEYS.map((k) => `${k.name}=${CLI_TYPE[k.type]}`);
}

/** The settings of deploy/temporal-setup.sh. */
export function namespaceJobEnvironment(address: string, namespace: string, retentionDays: number): Record<string, string> {
  return {
    TEMPORAL_ADDRESS: address,
    NAMESPACE: namespace,
    RETENTION: `${retentionDays}d`,
    SEARCH_ATTRIBUTES: searchAttributeSpecs().join(' '),
  };
}

/** KSCP_ARCHIVE_URL of every worker: the case archive (and email ledger) in its own database on Temporal's PostgreSQL. */
export function archiveUrl(db: Database): string {
  return `postgres://${DB_USER}:${encodeURIComponent(db.password)}@${db.host}:${db.port}/${DATABASES.archive}`;
}
