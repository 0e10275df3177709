# what --online and --rows need, said before anything is read
fsfeat --spec spec.json --online-prefix user: events.ndjson; echo "exit $?"
fsfeat --spec spec.json --online-ttl 1h events.ndjson; echo "exit $?"
fsfeat --spec spec.json --online redis://127.0.0.1:1 --online-ttl 10us events.ndjson; echo "exit $?"
fsfeat --spec spec.json --online tcp://localhost events.ndjson; echo "exit $?"
fsfeat --spec spec.json --online redis://:pw@localhost:0 events.ndjson; echo "exit $?"
fsfeat --spec spec.json --online redis://localhost/x events.ndjson; echo "exit $?"
fsfeat --spec spec.json --online 'unix:///tmp/s.sock?db=x' events.ndjson; echo "exit $?"
fsfeat --spec spec.json --rows out.ndjson -o out.ndjson events.ndjson; echo "exit $?"
# nothing listens on port 1: unreachable at start is status 69, nothing written
fsfeat --spec spec.json --online redis://127.0.0.1:1 events.ndjson; echo "exit $?"
fsfeat --spec spec.json --online redis://user:secret@127.0.0.1:1/2 events.ndjson; echo "exit $?"
