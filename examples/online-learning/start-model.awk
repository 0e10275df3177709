# start-model.awk: the model the learner starts from, and the server first
# serves: an fstools-linear logistic model with zero weights, whose centre and
# scale are the mean and standard deviation of each numeric feature over a
# training period (nulls left out, as fsscore imputes the centre for them).
#
#   head -n 19200 features.ndjson | awk -v hashed=channel,merchant_id -f start-model.awk > served.json
#
# The input is fsfeat's output: the numeric features are the members of its
# "features" object. hashed= names string fields of the event that the
# learner hashes into 2^18 weight buckets (bits= to change).
function json(s) { return "\"" s "\"" }
{
	f = $0
	if (!sub(/.*"features":\{/, "", f))
		next
	sub(/\}\}$/, "", f)
	k = split(f, kv, ",")
	for (i = 1; i <= k; i++) {
		split(kv[i], p, ":")
		name = substr(p[1], 2, length(p[1]) - 2)
		if (!(name in n)) { names[++nn] = name; n[name] = 0 }
		if (p[2] == "null")
			continue
		x = p[2] + 0   # Welford: the running mean and sum of squared deviations
		d = x - mean[name]
		n[name]++
		mean[name] += d / n[name]
		m2[name] += d * (x - mean[name])
	}
}
END {
	if (!nn) { print "start-model.awk: no \"features\" object in the input" > "/dev/stderr"; exit 1 }
	w = c = s = ""
	for (i = 1; i <= nn; i++) {
		name = names[i]
		sd = n[name] > 0 ? sqrt(m2[name] / n[name]) : 0
		w = w sprintf("%s%s: 0", i > 1 ? ", " : "", json(name))
		c = c sprintf("%s%s: %.17g", i > 1 ? ", " : "", json(name), mean[name])
		s = s sprintf("%s%s: %.17g", i > 1 ? ", " : "", json(name), sd > 0 ? sd : 1)
	}
	h = ""
	k = split(hashed, hf, ",")
	for (i = 1; i <= k; i++)
		h = h (i > 1 ? ", " : "") json(hf[i])
	printf "{\"format\": \"fstools-linear\", \"version\": 1, \"link\": \"logistic\",\n \"intercept\": 0,\n"
	printf " \"weights\": {%s},\n \"center\": {%s},\n \"scale\": {%s}", w, c, s
	if (k)
		printf ",\n \"hashed\": {\"bits\": %d, \"fields\": [%s]}", bits ? bits : 18, h
	printf "}\n"
}
