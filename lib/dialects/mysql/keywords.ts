/**
 * Words a bare name on MySQL / MariaDB must not be, for the guard's fast path
 * (lib/guard/fast-path.ts): MariaDB 10.11's keywords (`select lower(word) from
 * information_schema.KEYWORDS`, reserved and not); MySQL 8's from its sql/lex.h symbol list
 * (keywords and the functions it parses specially), since no MySQL 8 server runs here to
 * ask; and PostgreSQL's and SQLite's keywords besides, for SQL-standard words either list
 * may lack. Lower case. A keyword may change what the statement does (INTO, a function that
 * needs no parentheses such as CURRENT_USER), so a text with one, or with any name on this
 * list, goes to the full classifier: a longer list only sends more texts there.
 */
export const MYSQL_KEYWORDS: readonly string[] = (
  'abort absent absolute access accessible account action active add adddate admin after against ' +
  'aggregate algorithm all allow_missing_files also alter always analyse analyze and any array as ' +
  'asc ascii asensitive assertion assign_gtids_to_anonymous_transactions assignment asymmetric at ' +
  'atomic attach attribute authentication authorization authors auto auto_increment auto_refresh ' +
  'auto_refresh_source autoextend_size autoincrement avg avg_row_length backup backward before ' +
  'begin bernoulli between bigint binary binlog bit bit_and bit_or bit_xor blob block body bool ' +
  'boolean both breadth btree buckets bulk by byte cache call called cascade cascaded case cast ' +
  'catalog catalog_name chain challenge_response change changed channel char character ' +
  'characteristics charset check checkpoint checksum cipher class class_origin client clob clone ' +
  'close cluster coalesce code collate collation column column_add column_check column_create ' +
  'column_delete column_format column_get column_name columns comment comments commit committed ' +
  'compact completion component compressed compression concurrent concurrently condition ' +
  'conditional configuration conflict connection consistent constraint constraint_catalog ' +
  'constraint_name constraint_schema constraints contains content context continue contributors ' +
  'conversion convert copy cost count cpu create cross csv cube cume_dist curdate current ' +
  'current_catalog current_date current_pos current_role current_schema current_time ' +
  'current_timestamp current_user cursor cursor_name curtime cycle data database databases datafile ' +
  'date date_add date_sub datetime day day_hour day_microsecond day_minute day_second deallocate ' +
  'dec decimal declare default default_auth defaults deferrable deferred definer definition ' +
  'delay_key_write delayed delete delete_domain_id delimiter delimiters dense_rank depends depth ' +
  'des_key_file desc describe description detach deterministic diagnostics dictionary directory ' +
  'disable discard disk distinct distinctrow div do do_domain_ids document domain double drop dual ' +
  'duality dumpfile duplicate dynamic each else elseif elsif empty enable enclosed encoding ' +
  'encrypted encryption end ends enforced engine engine_attribute engines enum error errors escape ' +
  'escaped event events every examined except exception exchange exclude excluding exclusive ' +
  'execute exists exit expansion expire explain export expression extended extension extent_size ' +
  'external external_format extract factor fail failed_login_attempts false family fast faults ' +
  'federated fetch fields file file_block_size file_format file_name file_pattern file_prefix files ' +
  'filter finalize finish first first_value fixed float float4 float8 flush following follows for ' +
  'force foreign format forward found freeze from full fulltext function functions general generate ' +
  'generated geomcollection geometry geometrycollection get get_format get_source_public_key glob ' +
  'global goto grant granted grants greatest group group_concat group_replication grouping groups ' +
  'gtid_only gtids guided handler hard hash having header help high_priority histogram history hold ' +
  'host hosts hour hour_microsecond hour_minute hour_second id identified identity if ignore ' +
  'ignore_domain_ids ignore_server_ids ignored ilike immediate immutable implicit import in ' +
  'inactive include including increment indent index indexed indexes infile inherit inherits ' +
  'initial initial_size initially initiate inline inner inout input insensitive insert ' +
  'insert_method install instance instead int int1 int2 int3 int4 int8 integer intersect interval ' +
  'into invisible invoker io io_after_gtids io_before_gtids io_thread ipc is isnull isolation ' +
  'isopen issuer iterate join json json_array json_arrayagg json_duality_object json_exists ' +
  'json_object json_objectagg json_query json_scalar json_serialize json_table json_value keep key ' +
  'key_block_size keyring keys kill label lag language large last last_value lastval lateral lead ' +
  'leading leakproof least leave leaves left less level library like limit linear lines linestring ' +
  'list listen load local localtime localtimestamp location lock locked locks log logfile logged ' +
  'logs long longblob longtext loop low_priority manual mapping master master_connect_retry ' +
  'master_delay master_demote_to_replica master_demote_to_slave master_gtid_pos ' +
  'master_heartbeat_period master_host master_log_file master_log_pos master_password master_port ' +
  'master_server_id master_ssl master_ssl_ca master_ssl_capath master_ssl_cert master_ssl_cipher ' +
  'master_ssl_crl master_ssl_crlpath master_ssl_key master_ssl_verify_server_cert master_use_gtid ' +
  'master_user match matched materialized max max_connections_per_hour max_queries_per_hour ' +
  'max_rows max_size max_statement_time max_updates_per_hour max_user_connections maxvalue medium ' +
  'mediumblob mediumint mediumtext member memory merge merge_action message_text method microsecond ' +
  'mid middleint migrate min min_rows minus minute minute_microsecond minute_second minvalue mod ' +
  'mode modifies modify monitor month move multilinestring multipoint multipolygon mutex mysql ' +
  'mysql_errno name names national natural nchar ndb ndbcluster nested network_namespace never new ' +
  'next nextval nfc nfd nfkc nfkd no no_wait no_write_to_binlog nocache nocycle nodegroup ' +
  'nomaxvalue nominvalue none normalize normalized not notfound nothing notify notnull now nowait ' +
  'nth_value ntile null nullif nulls number numeric nvarchar object objects of off offset oids oj ' +
  'old old_password omit on one online only open operator optimize optimizer_costs option optional ' +
  'optionally options or order ordinality organization others out outer outfile over overlaps ' +
  'overlay overriding owned owner pack_keys package page page_checksum parallel parameter ' +
  'parameters parse_tree parse_vcol_expr parser partial partition partitioning partitions passing ' +
  'password password_lock_time path percent_rank period persist persist_only persistent phase ' +
  'placing plan plans plugin plugin_dir plugins point policy polygon port portion position pragma ' +
  'precedes preceding precision prepare prepared preserve prev previous primary prior ' +
  'privilege_checks_user privileges procedural procedure procedures process processlist profile ' +
  'profiles program proxy publication purge qualify quarter query quick quote quotes raise random ' +
  'range rank raw read read_only read_write reads real reassign rebuild recheck recover recursive ' +
  'redo_buffer_size redofile redundant ref ref_system_id reference references referencing refresh ' +
  'regexp registration reindex relational relative relay relay_log_file relay_log_pos relay_thread ' +
  'relaylog release reload remove rename reorganize repair repeat repeatable replace replay replica ' +
  'replica_pos replicas replicate_do_db replicate_do_table replicate_ignore_db ' +
  'replicate_ignore_table replicate_rewrite_db replicate_wild_do_table replicate_wild_ignore_table ' +
  'replication require require_row_format require_table_primary_key_check reset resignal resource ' +
  'respect restart restore restrict resume retain return returned_sqlstate returning returns reuse ' +
  'reverse revoke right rlike role rollback rollup rotate routine routines row row_count row_format ' +
  'row_number rowcount rownum rows rowtype rtree rule s3 savepoint scalar schedule schema ' +
  'schema_name schemas scroll search second second_microsecond secondary secondary_engine ' +
  'secondary_engine_attribute secondary_load secondary_unload security select sensitive separator ' +
  'sequence sequences serial serializable server session session_user set setof sets setval share ' +
  'show shutdown signal signed similar simple skip slave slave_pos slaves slow smallint snapshot ' +
  'socket soft some soname sounds source source_auto_position source_bind ' +
  'source_compression_algorithms source_connect_retry source_connection_auto_failover source_delay ' +
  'source_heartbeat_period source_host source_log_file source_log_pos source_password source_port ' +
  'source_public_key_path source_retry_count source_ssl source_ssl_ca source_ssl_capath ' +
  'source_ssl_cert source_ssl_cipher source_ssl_crl source_ssl_crlpath source_ssl_key ' +
  'source_ssl_verify_server_cert source_tls_ciphersuites source_tls_version source_user ' +
  'source_zstd_compression_level spatial specific sql sql_after_gtids sql_after_mts_gaps ' +
  'sql_before_gtids sql_big_result sql_buffer_result sql_cache sql_calc_found_rows sql_no_cache ' +
  'sql_small_result sql_thread sql_tsi_day sql_tsi_hour sql_tsi_minute sql_tsi_month ' +
  'sql_tsi_quarter sql_tsi_second sql_tsi_week sql_tsi_year sqlexception sqlstate sqlwarning srid ' +
  'ssl st_collect stable stacked stage standalone start starting starts statement statistics ' +
  'stats_auto_recalc stats_persistent stats_sample_pages status std stddev stddev_pop stddev_samp ' +
  'stdin stdout stop storage stored straight_join stream strict strict_load string strip ' +
  'subclass_origin subdate subject subpartition subpartitions subscription substr substring sum ' +
  'super support suspend swaps switches symmetric sysdate sysid system system_time system_user ' +
  'table table_checksum table_name tables tablesample tablespace target temp template temporary ' +
  'temptable terminated text than then thread_priority threads ties time timestamp timestampadd ' +
  'timestampdiff tinyblob tinyint tinytext tls to trailing transaction transactional transform ' +
  'treat trigger triggers trim true truncate trusted type types uescape unbounded uncommitted ' +
  'unconditional undefined undo undo_buffer_size undofile unencrypted unicode uninstall union ' +
  'unique unknown unlisten unlock unlogged unregister unsigned until update upgrade uri url usage ' +
  'use use_frm user user_resources using utc_date utc_time utc_timestamp vacuum valid validate ' +
  'validation validator value values var_pop varbinary varchar varchar2 varcharacter variables ' +
  'variadic variance varying vcpu vector verbose verify_key_constraints version versioning via view ' +
  'views virtual visible volatile wait warnings week weight_string when where while whitespace ' +
  'window with within without work wrapper write x509 xa xid xml xmlattributes xmlconcat xmlelement ' +
  'xmlexists xmlforest xmlnamespaces xmlparse xmlpi xmlroot xmlserialize xmltable xor year ' +
  'year_month yes zerofill zone'
).split(' ');
