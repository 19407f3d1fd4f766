import { refuse, REASON_DDL, type HeadRule } from '../head-rule';
import { ddlFamily } from './ddl';

/** CREATE / ALTER / DROP, the same on every dialect: refused, keyword completed with the object type. */
export const DDL_VERBS: readonly HeadRule[] = [refuse('CREATE', 'ddl', REASON_DDL, ddlFamily), refuse('ALTER', 'ddl', REASON_DDL, ddlFamily), refuse('DROP', 'ddl', REASON_DDL, ddlFamily)];
