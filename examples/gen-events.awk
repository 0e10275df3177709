# gen-events.awk: a deterministic synthetic event stream for tests and the demo.
# awk -v n=EVENTS -v keys=KEYS [-v bad=SHARE] [-v ids=1] -f gen-events.awk
# Times rise by 0-9 s per event from 2024-01-01T00:00:00Z (ties included);
# amounts are mostly decimals, with nulls, numeric strings and bad values;
# with bad > 0 that share of lines is broken (cut short, or without a user);
# with ids=1 each good event starts with a transaction id, "tx":"t<line>".
# The date of a day number since 1970-01-01 (H. Hinnant's civil_from_days).
function civil(z,    era, doe, yoe, doy, mp, d, m, y) {
	z += 719468
	era = int((z >= 0 ? z : z - 146096) / 146097)
	doe = z - era * 146097
	yoe = int((doe - int(doe / 1460) + int(doe / 36524) - int(doe / 146096)) / 365)
	doy = doe - (365 * yoe + int(yoe / 4) - int(yoe / 100))
	mp = int((5 * doy + 2) / 153)
	d = doy - int((153 * mp + 2) / 5) + 1
	m = mp < 10 ? mp + 3 : mp - 9
	y = yoe + era * 400 + (m <= 2)
	return sprintf("%04d-%02d-%02d", y, m, d)
}

BEGIN {
	if (!n) n = 1000
	if (!keys) keys = 50
	srand(42)
	t = 1704067200
	split("web ios android pos", ch, " ")
	for (i = 1; i <= n; i++) {
		t += int(rand() * 10)
		k = int(rand() * rand() * keys)
		r = rand()
		if (r < 0.03) amt = "null"
		else if (r < 0.05) amt = sprintf("\"%.2f\"", rand() * 100)
		else if (r < 0.055) amt = "\"n/a\""
		else amt = sprintf("%.2f", rand() * rand() * 500)
		s = t % 60; m = int(t / 60) % 60; h = int(t / 3600) % 24; day = civil(int(t / 86400))
		if (bad && rand() < bad) {
			if (rand() < 0.5) printf "{\"user_id\":\"u%d\",\"ts\":\"%sT%02d:%02d\n", k, day, h, m
			else printf "{\"ts\":\"%sT%02d:%02d:%02dZ\",\"amount\":1}\n", day, h, m, s
			continue
		}
		if (ids)
			printf "{\"tx\":\"t%d\",", i
		else
			printf "{"
		printf "\"user_id\":\"u%d\",\"ts\":\"%sT%02d:%02d:%02dZ\",\"amount\":%s,\"merchant_id\":\"m%d\",\"channel\":\"%s\"}\n", \
			k, day, h, m, s, amt, int(rand() * 20), ch[1 + int(rand() * 4)]
	}
}
