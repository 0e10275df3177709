# chargebacks.awk: the frauds of a feature stream, as the chargebacks that
# come back from the card network days later (fsgroundtruth's --labels).
#
#   awk -f chargebacks.awk features.ndjson > chargebacks.ndjson
#
# The input is fsfeat's output for examples/user.json and merchant.json. No
# real labels exist for generated payments, so a hidden rule stands in for
# them: the rule of examples/train_xgboost.py (a payment large for its user,
# many merchants in a day, a short gap since the user's previous payment),
# plus two compromised merchants and a riskier web channel, for the hashed
# fields to find. Each fraud gets {"tx","ts","label":1}, from 1 hour to a few
# days after its payment (1 h + a gamma(2, 12 h) delay: half within a day, a
# few after the 3 days that fsgroundtruth waits for), sorted by that time.
# Legitimate payments never get a label, as in life (--absent-label 0).
# Seeded: every run writes the same file.

# the number of a feature, or "" when null or absent
function num(name) {
	if (!match($0, "\"" name "\":[^,}]*"))
		return ""
	v = substr($0, RSTART + length(name) + 3, RLENGTH - length(name) - 3)
	return v == "null" ? "" : v + 0
}
function text(name) {
	return match($0, "\"" name "\":\"[^\"]*\"") ? substr($0, RSTART + length(name) + 4, RLENGTH - length(name) - 5) : ""
}
# seconds since 1970 of YYYY-MM-DDTHH:MM:SSZ (H. Hinnant's days_from_civil)
function epoch(ts,    y, m, d, era, yoe, doy, doe) {
	y = substr(ts, 1, 4) + 0; m = substr(ts, 6, 2) + 0; d = substr(ts, 9, 2) + 0
	y -= m <= 2
	era = int((y >= 0 ? y : y - 399) / 400)
	yoe = y - era * 400
	doy = int((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1
	doe = yoe * 365 + int(yoe / 4) - int(yoe / 100) + doy
	return (era * 146097 + doe - 719468) * 86400 + substr(ts, 12, 2) * 3600 + substr(ts, 15, 2) * 60 + substr(ts, 18, 2)
}
# the date of a day number since 1970-01-01 (civil_from_days, as in gen-events.awk)
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
BEGIN { srand(7); sort = "sort -n | cut -f2-" }
/"features":\{/ {
	sum = num("amt_sum_1h"); before = num("amt_max_before_1h"); mean = num("amt_mean_7d")
	amount = sum == "" ? 0 : sum - (before == "" ? 0 : before)   # about this payment's amount
	ratio = amount / ((mean == "" ? 50 : mean) > 1 ? (mean == "" ? 50 : mean) : 1)
	gap = num("gap")
	logit = -4 + 1.2 * log(1 + (ratio > -0.99 ? ratio : -0.99)) + 0.35 * num("merchants_24h") \
		- 0.002 * (gap == "" ? 3600 : gap)
	m = text("merchant_id"); c = text("channel")
	logit += (m == "m3") * 1.5 + (m == "m11") * 1.0 + (c == "web") * 0.7 - (c == "pos") * 0.7
	if (logit < -30) logit = -30
	if (rand() >= 1 / (1 + exp(-logit)))
		next
	t = epoch(text("ts")) + 3600 + int(-43200 * (log(1 - rand()) + log(1 - rand())))
	printf "%d\t{\"tx\":\"%s\",\"ts\":\"%sT%02d:%02d:%02dZ\",\"label\":1}\n", t, text("tx"),
		civil(int(t / 86400)), int(t / 3600) % 24, int(t / 60) % 60, t % 60 | sort
}
