-- orders.status was checked with "status IN (<4 values>)": SQLite checks an
-- IN list of constants through an ephemeral table built again for every row
-- written (about a fifth of the instructions of issuing an order, and paid
-- by every acknowledgement). The same rule as comparisons costs a few
-- instructions. The stored rows do not change, so the table's text is
-- edited in place, the procedure SQLite documents for constraint changes
-- (https://sqlite.org/lang_altertable.html, "otheralter"); RESET reloads
-- the schema on this connection.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
   SET sql = replace(sql,
       'CHECK (status IN (''issued'',''acknowledged'',''superseded'',''lifted''))',
       'CHECK (status = ''issued'' OR status = ''acknowledged'' OR status = ''superseded'' OR status = ''lifted'')')
 WHERE type = 'table' AND name = 'orders';
PRAGMA writable_schema = RESET;
PRAGMA writable_schema = OFF;
