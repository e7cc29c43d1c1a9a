#!/usr/bin/env bash
# A single-node Kafka 4.1 (KRaft: broker and controller in one JVM) for trying Prognos on one
# machine with only a JDK and Maven: the broker comes from Maven Central, not from a download.
# Not for production: one node, replication 1, data in $KAFKA_DIR (default ./kafka-dev).
#
#   scripts/kafka-dev.sh                  start the broker on localhost:$KAFKA_PORT (9092)
#   scripts/kafka-dev.sh produce [TOPIC]  lines "KEY VALUE" from stdin to TOPIC (prognos.readings)
#   scripts/kafka-dev.sh consume TOPIC    print TOPIC's committed records from the start, "KEY VALUE"
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dir=$(mkdir -p "${KAFKA_DIR:-kafka-dev}" && cd "${KAFKA_DIR:-kafka-dev}" && pwd)
port=${KAFKA_PORT:-9092}
controller=${KAFKA_CONTROLLER_PORT:-9093}
quiet=-Dorg.slf4j.simpleLogger.defaultLogLevel=warn

if ! mvn -B -q -f "$here/kafka-dev/pom.xml" dependency:build-classpath -Dmdep.outputFile="$dir/classpath" \
  > "$dir/maven.log" 2>&1; then
  cat "$dir/maven.log" >&2
  exit 1
fi
cp=$(cat "$dir/classpath")

case "${1:-start}" in
  produce)
    exec java $quiet -cp "$cp" org.apache.kafka.tools.ConsoleProducer --bootstrap-server "localhost:$port" \
      --topic "${2:-prognos.readings}" --property parse.key=true --property "key.separator= "
    ;;
  consume)
    exec java $quiet -cp "$cp" org.apache.kafka.tools.consumer.ConsoleConsumer --bootstrap-server "localhost:$port" \
      --topic "${2:?which topic}" --from-beginning --isolation-level read_committed \
      --property print.key=true --property "key.separator= "
    ;;
  start) ;;
  *) echo "usage: $0 [start | produce [TOPIC] | consume TOPIC]" >&2; exit 2 ;;
esac

cat > "$dir/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@localhost:$controller
listeners=PLAINTEXT://localhost:$port,CONTROLLER://localhost:$controller
advertised.listeners=PLAINTEXT://localhost:$port
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$dir/logs
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
PROPS
if [ ! -f "$dir/logs/meta.properties" ]; then
  java $quiet -cp "$cp" kafka.tools.StorageTool format -t "$(java $quiet -cp "$cp" kafka.tools.StorageTool random-uuid)" \
    -c "$dir/server.properties"
fi
echo "Kafka on localhost:$port (data in $dir); stop with Ctrl-C"
exec java -Xmx512m $quiet -cp "$cp" kafka.Kafka "$dir/server.properties"
