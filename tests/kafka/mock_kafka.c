/* mock_kafka: a Kafka cluster on loopback for the tests, from librdkafka's
 * built-in mock cluster (rdkafka_mock.h). It serves the real Kafka protocol,
 * so Debian's kcat produces to it and consumes from it in other processes,
 * consumer groups included.
 *
 *   mock_kafka [-b BROKERS] TOPIC:PARTITIONS ...
 *
 * Creates the topics, prints the bootstrap address on one line, and serves
 * until its standard input ends or it gets SIGTERM or SIGINT. The mock keeps
 * at most 5 MiB per partition: spread a large test topic over partitions.
 */
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	int brokers = 3, i = 1;
	if (argc > 2 && strcmp(argv[1], "-b") == 0) {
		brokers = atoi(argv[2]);
		i = 3;
	}
	char err[512];
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	/* the host's own client only owns the cluster: keep it quiet */
	rd_kafka_conf_set(conf, "log_level", "3", err, sizeof err);
	rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
	if (!rk) {
		fprintf(stderr, "mock_kafka: %s\n", err);
		return 1;
	}
	rd_kafka_mock_cluster_t *mc = rd_kafka_mock_cluster_new(rk, brokers);
	if (!mc) {
		fprintf(stderr, "mock_kafka: cannot start the mock cluster\n");
		return 1;
	}
	for (; i < argc; i++) {
		char *colon = strchr(argv[i], ':');
		int parts = colon ? atoi(colon + 1) : 1;
		if (colon)
			*colon = 0;
		if (rd_kafka_mock_topic_create(mc, argv[i], parts, 1) != RD_KAFKA_RESP_ERR_NO_ERROR) {
			fprintf(stderr, "mock_kafka: cannot create topic %s\n", argv[i]);
			return 1;
		}
	}
	printf("%s\n", rd_kafka_mock_cluster_bootstraps(mc));
	fflush(stdout);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	char buf[256];
	struct pollfd pfd = {.fd = 0, .events = POLLIN};
	while (!stop) {
		if (poll(&pfd, 1, 200) > 0 && read(0, buf, sizeof buf) <= 0)
			break;  /* standard input ended: the test that started us is gone */
	}
	rd_kafka_mock_cluster_destroy(mc);
	rd_kafka_destroy(rk);
	return 0;
}
