/*
 * kafka-mock: librdkafka's in-process mock Kafka cluster as a stand-alone server, the Kafka peer
 * of bench/kafka. Usage: kafka-mock [TOPIC:PARTITIONS ...]
 * Creates the cluster (one broker, listening on 127.0.0.1 on an ephemeral port; the mock binds
 * loopback only), pre-creates the named topics (replication factor 1), prints one line
 * "kafka-mock ready BOOTSTRAP" on stdout and serves until SIGTERM or SIGINT.
 * Built by bench/kafka with `cc kafka-mock.c -lrdkafka` into bench/peers/build/ (git-ignored).
 */
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
    char errstr[512];
    sigset_t stop;
    int sig = 0;

    /* Block the stop signals before librdkafka starts its threads, so they inherit the mask and
     * the main thread alone receives the signal through sigwait below. */
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);

    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    /* The handle only hosts the mock cluster's threads and never connects anywhere: silence its
     * "no bootstrap.servers" notice (log level 3 = errors only). */
    rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof errstr);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    if (!rk) {
        fprintf(stderr, "kafka-mock: rd_kafka_new failed: %s\n", errstr);
        return 1;
    }
    rd_kafka_mock_cluster_t *mc = rd_kafka_mock_cluster_new(rk, 1);
    if (!mc) {
        fprintf(stderr, "kafka-mock: rd_kafka_mock_cluster_new failed\n");
        rd_kafka_destroy(rk);
        return 1;
    }
    for (int i = 1; i < argc; i++) {
        char name[256];
        const char *colon = strrchr(argv[i], ':');
        int partitions = colon ? atoi(colon + 1) : 1;
        size_t len = colon ? (size_t)(colon - argv[i]) : strlen(argv[i]);
        if (len == 0 || len >= sizeof name || partitions < 1) {
            fprintf(stderr, "kafka-mock: bad topic argument '%s' (expected NAME:PARTITIONS)\n", argv[i]);
            return 2;
        }
        memcpy(name, argv[i], len);
        name[len] = '\0';
        rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(mc, name, partitions, 1);
        if (err) {
            fprintf(stderr, "kafka-mock: cannot create topic %s: %s\n", name, rd_kafka_err2str(err));
            return 1;
        }
    }
    printf("kafka-mock ready %s\n", rd_kafka_mock_cluster_bootstraps(mc));
    fflush(stdout);

    sigwait(&stop, &sig);

    rd_kafka_mock_cluster_destroy(mc);
    rd_kafka_destroy(rk);
    return 0;
}
