#ifndef LOUPE_CLIBPQ_SHIM_H
#define LOUPE_CLIBPQ_SHIM_H

#include <libpq-fe.h>
#include <postgres_ext.h>

// PG_DIAG_* are character-literal macros that Swift does not import; re-export them as constants.
static const int LOUPE_PG_DIAG_SEVERITY_NONLOCALIZED = PG_DIAG_SEVERITY_NONLOCALIZED;
static const int LOUPE_PG_DIAG_SQLSTATE = PG_DIAG_SQLSTATE;
static const int LOUPE_PG_DIAG_MESSAGE_PRIMARY = PG_DIAG_MESSAGE_PRIMARY;
static const int LOUPE_PG_DIAG_MESSAGE_DETAIL = PG_DIAG_MESSAGE_DETAIL;
static const int LOUPE_PG_DIAG_MESSAGE_HINT = PG_DIAG_MESSAGE_HINT;
static const int LOUPE_PG_DIAG_STATEMENT_POSITION = PG_DIAG_STATEMENT_POSITION;
static const int LOUPE_PG_DIAG_SCHEMA_NAME = PG_DIAG_SCHEMA_NAME;
static const int LOUPE_PG_DIAG_TABLE_NAME = PG_DIAG_TABLE_NAME;
static const int LOUPE_PG_DIAG_COLUMN_NAME = PG_DIAG_COLUMN_NAME;
static const int LOUPE_PG_DIAG_CONSTRAINT_NAME = PG_DIAG_CONSTRAINT_NAME;

#endif
