// Configuration in a relational database: SQLite or PostgreSQL, migrated at start, watched for changes.
export { openDatabase, redactUrl, databaseKind, type ConfigDatabase } from "./database";
export { migrate, SCHEMA_VERSION } from "./migrations";
export { DbConfigSource, type VersionedLoad, type ServerOverrides } from "./source";
export { readConfig, replaceConfig, writeConfig, configVersion, CHANGE_CHANNEL } from "./repository";
