// SQL shared by the match of listings (match_stage.cpp) and of attachments
// (attachment_match.cpp): the customer identifiers imported at the times
// bound as $1 (a timestamptz[], as match_queue_imports gives them; NULL:
// none). The range around the = ANY lets the BRIN index on imported_at
// (schema/0070) skip the rest of the table, which = ANY alone does not.
#pragma once

#define LW_IDENTIFIERS_IMPORTED_AT                                        \
  " FROM customer_identifiers WHERE imported_at = ANY($1::timestamptz[])" \
  " AND imported_at >= (SELECT min(t) FROM unnest($1::timestamptz[]) t)"  \
  " AND imported_at <= (SELECT max(t) FROM unnest($1::timestamptz[]) t)"
