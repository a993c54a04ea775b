// knex CLI configuration: the same connection settings the app uses, from DATABASE_URL.
import { knexConfig } from './src/db/knex';

const url = process.env.DATABASE_URL ?? 'sqlite:./data/mspbridge.sqlite';

export default knexConfig({ url, poolMax: Number(process.env.DATABASE_POOL_MAX ?? 10) });
