# event 1 (00:59:59) gets u1's 00:00 row; event 2 (01:00) the later of u1's two
# 01:00 rows; u2's event is before its only row; event 4 has no user_id
fsjoin --asof users.ndjson --key user_id spine.ndjson
