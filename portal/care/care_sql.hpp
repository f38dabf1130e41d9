// SQL pieces the care team's statements share.
#pragma once

// A timestamptz column as "YYYY-MM-DDTHH:MM:SS.mmmZ" (UTC).
#define HY_CARE_TIME(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
