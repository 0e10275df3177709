# gen.awk: n events with a normal feature "amount" (mean m, sd 2), a count
# "n" (0-4), a channel and a score; -v shift=S moves amount by S sd;
# -v nulls=P makes a share P of amounts null. Seeded: same output each run.
BEGIN {
	srand(seed ? seed : 1)
	if (!m) m = 10
	for (i = 0; i < n; i++) {
		u1 = rand(); u2 = rand()
		z = sqrt(-2 * log(u1 + 1e-12)) * cos(6.283185307 * u2)
		a = sprintf("%.3f", m + 2 * (z + shift))
		if (rand() < nulls) a = "null"
		r = rand(); ch = r < 0.5 ? "web" : r < 0.8 ? "ios" : "pos"
		printf "{\"ts\":%d,\"features\":{\"amount\":%s,\"n\":%d,\"channel\":\"%s\"},\"score\":%.3f}\n", \
			1700000000 + i * 60, a, int(rand() * 5), ch, rand()
	}
}
